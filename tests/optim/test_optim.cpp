// SGD and Adam against hand-computed steps and against values printed by PyTorch 1.13.
#include <catch2/catch.hpp>

#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/error.h"
#include "tensor/ops.h"

using namespace probenet;
using namespace probenet::optim;
using autograd::Var;

namespace {
void set_grad(Var& p, const std::vector<float>& g) {
    autograd::GradSlot slot = autograd::grad_slot(*p.impl());
    ops::copy(Tensor::from_vector(p.shape(), g), slot.grad);
}
void require_close(const Var& p, const std::vector<float>& want, float tol = 1e-6f) {
    const std::vector<float> got = p.value().to_vector();
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i);
        REQUIRE(got[i] == Approx(want[i]).margin(tol));
    }
}
}  // namespace

TEST_CASE("SGD with momentum, by hand", "[optim]") {
    // p = 1, g = 0.5 each step, lr 0.1, momentum 0.9:
    //   step 1: buf = 0.5,                 p = 1 − 0.05   = 0.95
    //   step 2: buf = 0.9·0.5 + 0.5 = 0.95, p = 0.95 − 0.095 = 0.855
    Var p(Tensor::from_vector({1}, {1.0f}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    set_grad(p, {0.5f});
    sgd.step();
    require_close(p, {0.95f});
    set_grad(p, {0.5f});
    sgd.step();
    require_close(p, {0.855f});
}

TEST_CASE("SGD with weight decay and dampening, by hand", "[optim]") {
    //   step 1: d = 0.5 + 0.1·1 = 0.6, buf = 0.6 (no dampening on the first step), p = 0.94
    //   step 2: d = 0.5 + 0.094 = 0.594, buf = 0.9·0.6 + 0.5·0.594 = 0.837, p = 0.94 − 0.0837 = 0.8563
    Var p(Tensor::from_vector({1}, {1.0f}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f, .dampening = 0.5f, .weight_decay = 0.1f});
    set_grad(p, {0.5f});
    sgd.step();
    require_close(p, {0.94f});
    set_grad(p, {0.5f});
    sgd.step();
    require_close(p, {0.8563f});
}

TEST_CASE("SGD Nesterov with weight decay equals PyTorch", "[optim]") {
    // Printed by torch.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1) with
    // p = [1, −2, 0.5] and the three gradients below.
    Var p(Tensor::from_vector({3}, {1.0f, -2.0f, 0.5f}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.1f, .nesterov = true});
    const std::vector<std::vector<float>> grads{{0.5f, 1.0f, -0.25f}, {0.3f, -0.7f, 0.1f}, {-0.2f, 0.4f, 0.9f}};
    const std::vector<std::vector<float>> want{{0.885999978f, -2.15199995f, 0.537999988f},
                                               {0.763565958f, -2.04291201f, 0.524977982f},
                                               {0.711841583f, -2.06428552f, 0.346125603f}};
    for (size_t s = 0; s < 3; ++s) {
        set_grad(p, grads[s]);
        sgd.step();
        require_close(p, want[s], 2e-6f);
    }
}

TEST_CASE("Adam, by hand: a constant gradient moves p by lr per step", "[optim]") {
    // g = 0.5: step 1 m = 0.05, v = 0.00025, m/(1−β1) = 0.5, √(v/(1−β2)) = 0.5 → p = 1 − 0.1 = 0.9;
    // step 2 likewise → 0.8 (up to eps = 1e-8).
    Var p(Tensor::from_vector({1}, {1.0f}), true);
    Adam adam({p}, {.lr = 0.1f});
    set_grad(p, {0.5f});
    adam.step();
    require_close(p, {0.9f});
    set_grad(p, {0.5f});
    adam.step();
    require_close(p, {0.8f});
}

TEST_CASE("Adam with betas, eps and weight decay equals PyTorch", "[optim]") {
    // Printed by torch.optim.Adam([p], lr=0.1, betas=(0.8, 0.99), eps=1e-3, weight_decay=0.2).
    Var p(Tensor::from_vector({3}, {1.0f, -2.0f, 0.5f}), true);
    Adam adam({p}, {.lr = 0.1f, .beta1 = 0.8f, .beta2 = 0.99f, .eps = 1e-3f, .weight_decay = 0.2f});
    const std::vector<std::vector<float>> grads{{0.5f, 1.0f, -0.25f}, {0.3f, -0.7f, 0.1f}, {-0.2f, 0.4f, 0.9f}};
    const std::vector<std::vector<float>> want{{0.90014267f, -2.09983373f, 0.599337757f},
                                               {0.803945422f, -2.060359f, 0.570040643f},
                                               {0.737620473f, -2.03108883f, 0.496430933f}};
    for (size_t s = 0; s < 3; ++s) {
        set_grad(p, grads[s]);
        adam.step();
        require_close(p, want[s], 2e-6f);
    }
}

TEST_CASE("optimizers skip parameters without a gradient and validate options", "[optim]") {
    Var p(Tensor::from_vector({1}, {1.0f}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    sgd.step();  // no gradient yet
    require_close(p, {1.0f});
    set_grad(p, {1.0f});
    sgd.zero_grad();
    sgd.step();
    require_close(p, {1.0f});
    REQUIRE_THROWS_WITH(SGD({p}, {.lr = -1.0f}), Catch::Contains("lr"));
    REQUIRE_THROWS_WITH(SGD({p}, {.lr = 0.1f, .nesterov = true}), Catch::Contains("Nesterov"));
    REQUIRE_THROWS_WITH(Adam({p}, {.beta1 = 1.0f}), Catch::Contains("betas"));
}
