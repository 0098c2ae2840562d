// nn layers: gradient checks through the Module API, names, lookup, modes, init, summary.
#include <catch2/catch.hpp>

#include <cmath>

#include "gradcheck.h"
#include "module_gradcheck.h"
#include "require_gradcheck.h"
#include "nn/activations.h"
#include "nn/dropout.h"
#include "nn/linear.h"
#include "nn/models/mlp.h"
#include "nn/summary.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::nn;
using probenet::testing::away_from_zero;
using probenet::testing::gradcheck;
using probenet::testing::gradcheck_module;
using probenet::testing::require_ok;

TEST_CASE("Linear layer: gradcheck of input, weight and bias through the module", "[nn][gradcheck]") {
    Rng rng(21);
    Linear layer(5, 3, true, rng);
    // Layer(x) with its weight and bias taken from the checker's inputs: every gradient is the module's.
    require_ok(gradcheck_module(layer, {&layer.weight(), layer.bias()}, away_from_zero({4, 5}, rng)));
    Linear no_bias(5, 3, false, rng);
    require_ok(gradcheck_module(no_bias, {&no_bias.weight()}, away_from_zero({2, 5}, rng)));
}

TEST_CASE("ReLU, Flatten and Dropout layers pass the gradient checker", "[nn][gradcheck]") {
    Rng rng(22);
    ReLU relu;
    Flatten flatten;
    require_ok(gradcheck([&](const std::vector<Var>& v) { return relu(v[0]); }, {away_from_zero({3, 4}, rng)}));
    require_ok(gradcheck([&](const std::vector<Var>& v) { return flatten(v[0]); }, {away_from_zero({2, 3, 2}, rng)}));
    // A fresh Dropout with the same seed per call draws the same mask, so f is a fixed function.
    require_ok(gradcheck([](const std::vector<Var>& v) { Dropout d(0.5f, 7); return d(v[0]); },
                         {away_from_zero({4, 6}, rng)}));
}

TEST_CASE("Dropout scales kept units by 1/(1-p) in training and is the identity in eval", "[nn]") {
    Dropout d(0.25f, 3);
    const Tensor x = Tensor::ones({1000});
    const std::vector<float> y = d(Var(x)).value().to_vector();
    int kept = 0;
    for (float v : y) {
        REQUIRE((v == 0.0f || std::fabs(v - 1.0f / 0.75f) < 1e-6f));
        kept += v != 0.0f;
    }
    REQUIRE(kept > 700);
    REQUIRE(kept < 800);
    d.eval();
    REQUIRE(d(Var(x)).value().to_vector() == x.to_vector());
    REQUIRE_THROWS_WITH(Dropout(1.0f, 1), Catch::Contains("[0, 1)"));
}

TEST_CASE("Linear init follows PyTorch's U(±1/sqrt(fan_in)) and is seeded", "[nn][init]") {
    Rng a(5), b(5);
    Linear l1(400, 300, true, a), l2(400, 300, true, b);
    REQUIRE(l1.weight().value().to_vector() == l2.weight().value().to_vector());
    const float bound = 1.0f / 20.0f;
    float lo = 1, hi = -1;
    double sq = 0;
    for (float v : l1.weight().value().to_vector()) lo = std::min(lo, v), hi = std::max(hi, v), sq += double(v) * v;
    REQUIRE(lo >= -bound);
    REQUIRE(hi <= bound);
    REQUIRE(hi > 0.99f * bound);
    // Variance of U(−b, b) is b²/3.
    REQUIRE(sq / (400 * 300) == Approx(bound * bound / 3).epsilon(0.02));
    for (float v : l1.bias()->value().to_vector()) REQUIRE(std::fabs(v) <= bound);
}

TEST_CASE("MLP names, parameter order, lookup, modes and summary", "[nn]") {
    Rng rng(1);
    auto mlp = make_mlp(784, {128, 512, 2048, 2048}, 10, rng);
    std::vector<std::string> names;
    for (auto& [n, v] : mlp->named_parameters()) names.push_back(n);
    REQUIRE(names == std::vector<std::string>{"fc1.linear.weight", "fc1.linear.bias", "fc2.linear.weight",
                                              "fc2.linear.bias", "fc3.linear.weight", "fc3.linear.bias",
                                              "fc4.linear.weight", "fc4.linear.bias", "classifier.weight",
                                              "classifier.bias"});
    // 784·128+128 + 128·512+512 + 512·2048+2048 + 2048·2048+2048 + 2048·10+10
    REQUIRE(mlp->parameter_count() == 100480 + 66048 + 1050624 + 4196352 + 20490);
    REQUIRE(mlp->find("fc2.relu") != nullptr);
    REQUIRE(mlp->find("fc2.relu")->name() == "fc2.relu");
    REQUIRE(mlp->find("fc9") == nullptr);
    REQUIRE_THROWS_WITH(mlp->find_or_throw("fc9"), Catch::Contains("fc9") && Catch::Contains("fc4.relu"));
    mlp->eval();
    REQUIRE_FALSE(mlp->find("fc1.linear")->training());
    mlp->train();
    REQUIRE(mlp->find("fc1.linear")->training());
    const std::string s = summary(*mlp, {1, 28, 28});
    INFO(s);
    REQUIRE_THAT(s, Catch::Contains("fc3.linear") && Catch::Contains("(N, 2048)") && Catch::Contains("5433994"));
}

TEST_CASE("a wrong input shape names the layer and the shapes", "[nn][errors]") {
    Rng rng(1);
    auto mlp = make_mlp(784, {16}, 10, rng);
    REQUIRE_THROWS_WITH((*mlp)(Var(Tensor::zeros({2, 1, 20, 20}))),
                        Catch::Contains("fc1.linear") && Catch::Contains("(2, 400)") && Catch::Contains("784"));
}
