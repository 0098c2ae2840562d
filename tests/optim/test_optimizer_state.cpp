// Optimizer state round trip: an optimizer restored from state() continues with bit-identical
// updates; load_state refuses another kind or a wrongly shaped buffer.
#include <catch2/catch.hpp>

#include <memory>

#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::optim;
using autograd::Var;

namespace {
void set_grad(Var& p, const Tensor& g) {
    autograd::GradSlot slot = autograd::grad_slot(*p.impl());
    ops::copy(g, slot.grad);
}

std::vector<Var> clone_params(const std::vector<Var>& params) {
    std::vector<Var> out;
    for (const Var& p : params) {
        Tensor copy = Tensor::empty(p.shape());
        ops::copy(p.value(), copy);
        out.emplace_back(copy, true);
    }
    return out;
}

// Steps `original` three times; after the first step a second optimizer over copies of the
// parameters is built from original's state. Both then take the same two steps and must agree
// bit for bit, and differ from a fresh optimizer that did not get the state.
template <class Make>
void require_resume_exact(Make make) {
    Rng rng(7);
    std::vector<Var> params{Var(Tensor::uniform({3, 4}, -1, 1, rng), true), Var(Tensor::uniform({4}, -1, 1, rng), true)};
    std::vector<Tensor> grads;
    for (int i = 0; i < 6; ++i) grads.push_back(Tensor::uniform(params[i % 2].shape(), -1, 1, rng));

    std::unique_ptr<Optimizer> original = make(params);
    for (size_t j = 0; j < 2; ++j) set_grad(params[j], grads[j]);
    original->step();

    std::vector<Var> copies = clone_params(params), fresh_copies = clone_params(params);
    std::unique_ptr<Optimizer> restored = make(copies), fresh = make(fresh_copies);
    restored->load_state(original->state());
    for (int step = 1; step < 3; ++step) {
        for (size_t j = 0; j < 2; ++j) {
            set_grad(params[j], grads[2 * step + j]);
            set_grad(copies[j], grads[2 * step + j]);
            set_grad(fresh_copies[j], grads[2 * step + j]);
        }
        original->step();
        restored->step();
        fresh->step();
    }
    for (size_t j = 0; j < 2; ++j) REQUIRE(params[j].value().to_vector() == copies[j].value().to_vector());
    REQUIRE(params[0].value().to_vector() != fresh_copies[0].value().to_vector());
}
}  // namespace

TEST_CASE("SGD momentum state resumes exactly", "[optim][state]") {
    require_resume_exact([](std::vector<Var> p) {
        return std::make_unique<SGD>(std::move(p), SgdOptions{.lr = 0.1f, .momentum = 0.9f});
    });
}

TEST_CASE("Adam moments and step counts resume exactly", "[optim][state]") {
    require_resume_exact([](std::vector<Var> p) {
        return std::make_unique<Adam>(std::move(p), AdamOptions{.lr = 0.01f});
    });
}

TEST_CASE("optimizer state before any step is empty and loads as fresh", "[optim][state]") {
    Var p(Tensor::ones({2}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    const OptimizerState s = sgd.state();
    REQUIRE(s.tensors.empty());
    REQUIRE(s.values.at("optimizer") == "SGD");
    REQUIRE_NOTHROW(sgd.load_state(s));
}

TEST_CASE("load_state refuses another optimizer kind or a wrong shape", "[optim][state]") {
    Var p(Tensor::ones({2}), true);
    SGD sgd({p}, {.lr = 0.1f, .momentum = 0.9f});
    Adam adam({p}, {});
    set_grad(p, Tensor::ones({2}));
    adam.step();
    REQUIRE_THROWS_WITH(sgd.load_state(adam.state()), Catch::Contains("for Adam") && Catch::Contains("is SGD"));

    OptimizerState wrong;
    wrong.values["optimizer"] = "SGD";
    wrong.tensors["0.momentum_buffer"] = Tensor::ones({3});
    REQUIRE_THROWS_WITH(sgd.load_state(wrong), Catch::Contains("0.momentum_buffer") && Catch::Contains("(3)"));

    OptimizerState incomplete = adam.state();
    incomplete.tensors.erase("0.exp_avg_sq");
    REQUIRE_THROWS_WITH(adam.load_state(incomplete), Catch::Contains("incomplete"));
}

// SGD's momentum buffers of 4 KB or more start 2 KB from their parameter modulo 4 KB (optim/optimizer.h,
// buffer_like: the fused update's W and momentum rows would share L1 sets otherwise), whichever way the
// buffer came about (first step, update in backward, loaded state), and hold the momentum all the same.
TEST_CASE("SGD momentum buffers sit 2 KB from their parameter modulo 4 KB", "[optim][state]") {
    const auto apart = [](const Tensor& a, const Tensor& b) {
        const auto address = [](const Tensor& t) { return static_cast<int64_t>(reinterpret_cast<uintptr_t>(t.data())); };
        return ((address(a) - address(b)) % 4096 + 4096) % 4096;
    };
    Rng rng(11);
    for (const bool in_backward : {false, true}) {
        Var big(Tensor::uniform({64, 1024}, -1, 1, rng), true), small(Tensor::uniform({100}, -1, 1, rng), true);
        SGD sgd({big, small}, {.lr = 0.1f, .momentum = 0.9f, .update_in_backward = in_backward});
        const Tensor g = Tensor::uniform({64, 1024}, -1, 1, rng);
        set_grad(big, g);
        set_grad(small, Tensor::uniform({100}, -1, 1, rng));
        sgd.step();  // with update_in_backward, step() updates what backward did not: here, both
        const OptimizerState s = sgd.state();
        const Tensor& buf = s.tensors.at("0.momentum_buffer");
        CAPTURE(in_backward);
        REQUIRE(apart(buf, big.value()) == 2048);
        REQUIRE(buf.to_vector() == g.to_vector());  // the first step's momentum is the gradient
        REQUIRE(s.tensors.at("1.momentum_buffer").numel() == 100);

        Var copy(big.value().clone(), true), copy_small(small.value().clone(), true);
        SGD restored({copy, copy_small}, {.lr = 0.1f, .momentum = 0.9f});
        restored.load_state(s);
        const OptimizerState restored_state = restored.state();
        const Tensor& loaded = restored_state.tensors.at("0.momentum_buffer");
        REQUIRE(apart(loaded, copy.value()) == 2048);
        REQUIRE(loaded.to_vector() == g.to_vector());
    }
}
