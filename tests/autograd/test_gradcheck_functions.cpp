// Every differentiable function in autograd/functions.h through the gradient checker.
#include <catch2/catch.hpp>

#include <cmath>

#include "autograd/functions.h"
#include "gradcheck.h"
#include "require_gradcheck.h"

using namespace probenet;
using namespace probenet::autograd;
using probenet::testing::away_from_zero;
using probenet::testing::gradcheck;
using probenet::testing::require_ok;

TEST_CASE("gradcheck matmul, non-square", "[autograd][gradcheck]") {
    Rng rng(1);
    require_ok(gradcheck([](const std::vector<Var>& v) { return matmul(v[0], v[1]); },
                         {away_from_zero({4, 3}, rng), away_from_zero({3, 5}, rng)}));
}

TEST_CASE("gradcheck linear with and without bias", "[autograd][gradcheck]") {
    Rng rng(2);
    require_ok(gradcheck([](const std::vector<Var>& v) { return linear(v[0], v[1], v[2]); },
                         {away_from_zero({5, 4}, rng), away_from_zero({3, 4}, rng), away_from_zero({3}, rng)}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return linear(v[0], v[1]); },
                         {away_from_zero({2, 6}, rng), away_from_zero({3, 6}, rng)}));
}

TEST_CASE("gradcheck add, mul, scale", "[autograd][gradcheck]") {
    Rng rng(3);
    const Tensor a = away_from_zero({3, 4}, rng), b = away_from_zero({3, 4}, rng);
    require_ok(gradcheck([](const std::vector<Var>& v) { return add(v[0], v[1]); }, {a, b}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return mul(v[0], v[1]); }, {a, b}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return scale(v[0], -2.5f); }, {a}));
    // The same Var used twice: both uses must accumulate into one gradient.
    require_ok(gradcheck([](const std::vector<Var>& v) { return mul(v[0], v[0]); }, {a}));
}

TEST_CASE("gradcheck relu (inputs away from the kink)", "[autograd][gradcheck]") {
    Rng rng(4);
    require_ok(gradcheck([](const std::vector<Var>& v) { return relu(v[0]); }, {away_from_zero({4, 5}, rng)}));
}

TEST_CASE("gradcheck reshape and flatten", "[autograd][gradcheck]") {
    Rng rng(5);
    const Tensor x = away_from_zero({2, 3, 4}, rng);
    require_ok(gradcheck([](const std::vector<Var>& v) { return reshape(v[0], {4, 6}); }, {x}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return flatten(v[0]); }, {x}));
}

TEST_CASE("gradcheck sum over all, over each axis, and mean", "[autograd][gradcheck]") {
    Rng rng(6);
    const Tensor x = away_from_zero({2, 3, 4}, rng);
    require_ok(gradcheck([](const std::vector<Var>& v) { return sum(v[0]); }, {x}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return mean(v[0]); }, {x}));
    for (int axis = 0; axis < 3; ++axis) {
        INFO("axis " << axis);
        require_ok(gradcheck([axis](const std::vector<Var>& v) { return sum(v[0], axis); }, {x}));
    }
}

TEST_CASE("gradcheck cross-entropy from logits", "[autograd][gradcheck]") {
    Rng rng(7);
    const std::vector<int32_t> labels{2, 0, 4, 4, 1};
    Tensor logits = Tensor::normal({5, 5}, 0.0f, 2.0f, rng);
    require_ok(gradcheck([&](const std::vector<Var>& v) { return cross_entropy(v[0], labels); }, {logits}));
}

TEST_CASE("gradcheck a composed two-layer network", "[autograd][gradcheck]") {
    // Built so that no hidden pre-activation comes near the ReLU kink: x > 0; hidden units 0–2
    // have positive weights and bias (pre-activation ≥ 0.14, always on), units 3–5 negative ones
    // (≤ −0.14, always off), while a perturbation of ε = 0.01 moves a pre-activation by ≤ 0.01.
    Rng rng(8);
    const std::vector<int32_t> labels{1, 1, 1};
    auto magnitude = [&](const Shape& s) {
        std::vector<float> v = away_from_zero(s, rng).to_vector();
        for (float& x : v) x = std::fabs(x);
        return v;
    };
    std::vector<float> w1 = magnitude({6, 4}), b1 = magnitude({6});
    for (int unit = 3; unit < 6; ++unit) {
        for (int i = 0; i < 4; ++i) w1[unit * 4 + i] = -w1[unit * 4 + i];
        b1[unit] = -b1[unit];
    }
    require_ok(gradcheck(
        [&](const std::vector<Var>& v) {
            return cross_entropy(linear(relu(linear(v[0], v[1], v[2])), v[3], v[4]), labels);
        },
        {Tensor::from_vector({3, 4}, magnitude({3, 4})), Tensor::from_vector({6, 4}, w1), Tensor::from_vector({6}, b1),
         away_from_zero({3, 6}, rng), away_from_zero({3}, rng)}));
}
