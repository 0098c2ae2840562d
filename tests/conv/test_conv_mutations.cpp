// The gradient checker must reject broken convolution and pooling backwards. The mutants
// (conv/conv_mutants.h) are test-only copies of the real functions with one deliberate bug that keeps
// every shape right.
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "conv/conv_mutants.h"
#include "gradcheck.h"
#include "tensor/conv_ops.h"
#include "tensor/ops.h"

using namespace probenet;
using namespace probenet::autograd;
using probenet::testing::away_from_zero;
using probenet::testing::broken_conv;
using probenet::testing::ConvBug;
using probenet::testing::gradcheck;
using probenet::testing::top_left_max_pool;

TEST_CASE("gradcheck fails on a conv2d filter gradient with the kernel flipped", "[conv][mutation]") {
    Rng rng(51);
    auto r = gradcheck(
        [](const std::vector<Var>& v) { return broken_conv(v[0], v[1], v[2], 1, 1, ConvBug::FlippedFilter); },
        {away_from_zero({2, 2, 5, 4}, rng), away_from_zero({3, 2, 3, 3}, rng), away_from_zero({3}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("input 1"));  // the weight, not x or the bias
}

TEST_CASE("gradcheck fails on a conv2d bias gradient that skips images", "[conv][mutation]") {
    Rng rng(52);
    auto r = gradcheck(
        [](const std::vector<Var>& v) { return broken_conv(v[0], v[1], v[2], 1, 1, ConvBug::BiasFromFirstImage); },
        {away_from_zero({3, 2, 4, 4}, rng), away_from_zero({2, 2, 3, 3}, rng), away_from_zero({2}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("input 2"));
}

TEST_CASE("gradcheck fails on a max-pool backward that ignores the argmax", "[conv][mutation]") {
    Rng rng(53);
    // Values 0.05 apart in shuffled order, so the maximum is rarely the top-left element.
    std::vector<float> v(2 * 2 * 4 * 4);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.05f * float((i * 37) % v.size());
    auto r = gradcheck([](const std::vector<Var>& in) { return top_left_max_pool(in[0], 2, 2); },
                       {Tensor::from_vector({2, 2, 4, 4}, v)});
    REQUIRE_FALSE(r.ok);
}
