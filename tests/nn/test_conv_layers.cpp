// Conv2d, MaxPool2d and AvgPool2d as modules: gradient checks through the module (parameters
// included), the module's output against the op it wraps with the module's own settings, init
// bounds, names and descriptions, and the layer-naming error.
#include <catch2/catch.hpp>

#include <cmath>

#include "module_gradcheck.h"
#include "nn/conv2d.h"
#include "nn/pooling.h"
#include "require_gradcheck.h"
#include "tensor/conv_ops.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::nn;
using probenet::testing::away_from_zero;
using probenet::testing::distinct_values;
using probenet::testing::gradcheck;
using probenet::testing::gradcheck_module;
using probenet::testing::require_ok;

TEST_CASE("Conv2d module: gradcheck of input, weight and bias through the module", "[nn][conv][gradcheck]") {
    Rng rng(31);
    Conv2d conv(2, 3, 3, 1, 1, true, rng);
    require_ok(gradcheck_module(conv, {&conv.weight(), conv.bias()}, away_from_zero({2, 2, 5, 4}, rng)));
    Conv2d strided(2, 2, 3, 2, 1, false, rng);  // stride 2, no bias
    REQUIRE(strided.bias() == nullptr);
    require_ok(gradcheck_module(strided, {&strided.weight()}, away_from_zero({1, 2, 7, 6}, rng)));
}

TEST_CASE("Conv2d module computes the op with its own stride, padding and parameters", "[nn][conv]") {
    Rng rng(32);
    Conv2d conv(3, 4, 5, 2, 2, true, rng);
    const Tensor x = Tensor::normal({2, 3, 9, 8}, 0, 1, rng);
    const Tensor y = conv(Var(x)).value();
    REQUIRE(y.shape() == Shape{2, 4, 5, 4});  // ⌊(9 + 4 − 5) / 2⌋ + 1 = 5, ⌊(8 + 4 − 5) / 2⌋ + 1 = 4
    REQUIRE(y.to_vector() == ops::conv2d(x, conv.weight().value(), conv.bias()->value(), 2, 2).to_vector());
    // PyTorch's default init: U(±1/√fan_in), fan_in = C·k·k = 75, for weight and bias.
    const float bound = 1.0f / std::sqrt(75.0f);
    for (const Var* p : std::vector<const Var*>{&conv.weight(), conv.bias()})
        for (float v : p->value().to_vector()) REQUIRE(std::fabs(v) <= bound);
    REQUIRE(conv.parameter_count() == 4 * 3 * 5 * 5 + 4);
    REQUIRE(conv.describe() == "3 → 4, 5×5 s2 p2");
    REQUIRE(conv.type_name() == "Conv2d");
    REQUIRE_THROWS_WITH(conv(Var(Tensor::zeros({2, 2, 9, 8}))),
                        Catch::Contains("Conv2d 3 → 4") && Catch::Contains("(2, 2, 9, 8)"));
    REQUIRE_THROWS_WITH(Conv2d(3, 4, 0, 1, 0, true, rng), Catch::Contains("kernel 0"));
}

TEST_CASE("MaxPool2d and AvgPool2d modules: gradcheck and the op's output", "[nn][conv][gradcheck]") {
    Rng rng(33);
    MaxPool2d max2(2, 2), max3(3, 2, 1);
    AvgPool2d avg2(2, 2), avg3(3, 2, 1);
    for (Module* m : {static_cast<Module*>(&max2), static_cast<Module*>(&max3), static_cast<Module*>(&avg2),
                      static_cast<Module*>(&avg3)}) {
        INFO(m->type_name() << " " << m->describe());
        require_ok(gradcheck_module(*m, {}, distinct_values({2, 2, 6, 5}, rng)));
    }
    const Tensor x = Tensor::normal({1, 2, 7, 7}, 0, 1, rng);
    REQUIRE(max3(Var(x)).value().to_vector() == ops::max_pool2d(x, 3, 2, 1).y.to_vector());
    REQUIRE(avg3(Var(x)).value().to_vector() == ops::avg_pool2d(x, 3, 2, 1).to_vector());
    REQUIRE(max3(Var(x)).shape() == Shape{1, 2, 4, 4});
    REQUIRE(avg2(Var(x)).shape() == Shape{1, 2, 3, 3});
    // By hand: one 2×2 window of {1, 4, 3, 2}: max 4, average 2.5.
    const Tensor w = Tensor::from_vector({1, 1, 2, 2}, {1, 4, 3, 2});
    REQUIRE(max2(Var(w)).value().to_vector() == std::vector<float>{4});
    REQUIRE(avg2(Var(w)).value().to_vector() == std::vector<float>{2.5f});
    REQUIRE(max3.describe() == "3×3 s2 p1");
    REQUIRE(avg2.describe() == "2×2 s2");
    REQUIRE(max2.parameter_count() == 0);
}
