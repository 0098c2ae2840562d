// The gradient checker must fail on broken backwards, or it proves nothing. Each mutant below is
// a test-only copy of a real function with one deliberate bug.
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "gradcheck.h"
#include "tensor/ops.h"

using namespace probenet;
using namespace probenet::autograd;
using probenet::testing::away_from_zero;
using probenet::testing::gradcheck;

namespace {

// ReLU whose backward forgets the mask: passes the gradient where x < 0 too.
struct MaskLessReluNode final : Node {
    const char* name() const override { return "broken_relu"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::axpby(1.0f, g, s.beta, s.grad);
    }
};
Var broken_relu(const Var& x) { return make_result(ops::relu(x.value()), std::make_shared<MaskLessReluNode>(), {x}); }

// matmul whose B gradient is transposed: dCᵀ·A = (Aᵀ·dC)ᵀ. On a square problem the shapes still
// fit, so only the values can catch it.
struct TransposedMatmulNode final : Node {
    Tensor a, b;
    const char* name() const override { return "broken_matmul"; }
    void backward(const Tensor& g) override {
        GradSlot sa = grad_slot(*inputs[0]);
        ops::gemm(g, false, b, true, sa.grad, 1.0f, sa.beta);
        GradSlot sb = grad_slot(*inputs[1]);
        ops::gemm(g, true, a, false, sb.grad, 1.0f, sb.beta);  // bug: should be Aᵀ·dC
    }
};
Var broken_matmul(const Var& a, const Var& b) {
    auto node = std::make_shared<TransposedMatmulNode>();
    node->a = a.value(), node->b = b.value();
    return make_result(ops::matmul(a.value(), b.value()), node, {a, b});
}

// scale whose backward overwrites the gradient instead of accumulating into it.
struct OverwritingScaleNode final : Node {
    const char* name() const override { return "broken_scale"; }
    void backward(const Tensor& g) override {
        GradSlot s = grad_slot(*inputs[0]);
        ops::axpby(3.0f, g, 0.0f, s.grad);  // bug: ignores s.beta
    }
};
Var broken_scale(const Var& x) {
    return make_result(ops::scale(x.value(), 3.0f), std::make_shared<OverwritingScaleNode>(), {x});
}

// A backward that writes nothing: both "gradients" would be zero if the check allowed it.
struct SilentNode final : Node {
    const char* name() const override { return "silent"; }
    void backward(const Tensor&) override {}
};

}  // namespace

TEST_CASE("gradcheck fails on a ReLU backward without its mask", "[autograd][mutation]") {
    Rng rng(11);
    auto r = gradcheck([](const std::vector<Var>& v) { return broken_relu(v[0]); }, {away_from_zero({4, 5}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("analytic"));
}

TEST_CASE("gradcheck fails on a transposed matmul weight gradient", "[autograd][mutation]") {
    Rng rng(12);
    auto r = gradcheck([](const std::vector<Var>& v) { return broken_matmul(v[0], v[1]); },
                       {away_from_zero({3, 3}, rng), away_from_zero({3, 3}, rng)});
    REQUIRE_FALSE(r.ok);
}

TEST_CASE("gradcheck fails on a backward that overwrites instead of accumulating", "[autograd][mutation]") {
    Rng rng(13);
    auto r = gradcheck([](const std::vector<Var>& v) { return broken_scale(v[0]); }, {away_from_zero({6}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("accumulate"));
}

TEST_CASE("gradcheck fails when both gradients would be zero", "[autograd][mutation]") {
    // f(x) = 0·x: analytic and numeric are both 0; the checker must refuse to call that a pass.
    Rng rng(14);
    auto r = gradcheck([](const std::vector<Var>& v) { return scale(v[0], 0.0f); }, {away_from_zero({4}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("~0 everywhere"));
    auto silent = gradcheck(
        [](const std::vector<Var>& v) { return make_result(v[0].value().clone(), std::make_shared<SilentNode>(), {v[0]}); },
        {away_from_zero({4}, rng)});
    REQUIRE_FALSE(silent.ok);
}

TEST_CASE("gradcheck fails when one input's gradient is dead, even if another input's is alive", "[autograd][mutation]") {
    // f(a, b) = a + 0·b: a's gradient is real, b's is 0 both ways; the all-zero guard is per input.
    Rng rng(15);
    auto r = gradcheck([](const std::vector<Var>& v) { return add(v[0], scale(v[1], 0.0f)); },
                       {away_from_zero({3}, rng), away_from_zero({3}, rng)});
    REQUIRE_FALSE(r.ok);
    REQUIRE_THAT(r.report, Catch::Contains("input 1 (3)") && Catch::Contains("~0 everywhere"));
    REQUIRE_THAT(r.report, !Catch::Contains("input 0"));
}
