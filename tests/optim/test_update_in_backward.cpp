// SGD's update inside backward (optim/sgd.h, update_in_backward) against the same SGD stepping after
// backward: the same weights and momentum buffers bit for bit over several steps, with every SGD
// option; and the misuses it cannot serve (a parameter used twice, two backwards before a step) are
// refused with an error instead of a silently wrong update.
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/error.h"

using namespace probenet;
using autograd::Var;

namespace {

// Trains a small MLP for `steps` steps from seed 3 and returns its parameters and optimizer state.
struct Trained {
    std::vector<std::vector<float>> params, buffers;
};
Trained train(optim::SgdOptions options, int steps, int batch) {
    Rng rng(3);
    auto model = nn::make_mlp(37, {64, 50}, 10, rng);
    optim::SGD sgd(model->parameters(), options);
    Rng data(11);
    for (int s = 0; s < steps; ++s) {
        Tensor x = Tensor::uniform({batch, 37}, -1.0f, 1.0f, data);
        std::vector<int32_t> y(static_cast<size_t>(batch));
        for (auto& v : y) v = static_cast<int32_t>(data.randint(10));
        sgd.zero_grad();
        autograd::cross_entropy((*model)(Var(x)), y).backward();
        sgd.step();
    }
    Trained t;
    for (const Var& p : model->parameters()) t.params.push_back(p.value().to_vector());
    for (const auto& [key, buffer] : sgd.state().tensors) t.buffers.push_back(buffer.to_vector());
    return t;
}

}  // namespace

TEST_CASE("SGD inside backward equals SGD after backward, bit for bit", "[optim]") {
    const optim::SgdOptions variants[] = {
        {.lr = 0.05f, .momentum = 0.9f},
        {.lr = 0.05f},
        {.lr = 0.02f, .momentum = 0.8f, .dampening = 0.3f, .weight_decay = 1e-3f},
        {.lr = 0.02f, .momentum = 0.9f, .weight_decay = 5e-4f, .nesterov = true},
    };
    for (const int batch : {32, 7, 100}) {  // 100 rows: the BLAS path of the weight gradient
        for (optim::SgdOptions o : variants) {
            INFO("batch " << batch << " lr " << o.lr << " momentum " << o.momentum << " dampening " << o.dampening
                          << " weight decay " << o.weight_decay << " nesterov " << o.nesterov);
            o.update_in_backward = false;
            const Trained after = train(o, 5, batch);
            o.update_in_backward = true;
            const Trained inside = train(o, 5, batch);
            REQUIRE(inside.params == after.params);
            REQUIRE(inside.buffers == after.buffers);
            REQUIRE(inside.buffers.size() == (o.momentum != 0.0f ? after.params.size() : 0));
        }
    }
}

TEST_CASE("SGD inside backward refuses a parameter used twice and two backwards before a step", "[optim]") {
    Rng rng(1);
    Var w(Tensor::uniform({4, 4}, -1.0f, 1.0f, rng), true);
    optim::SGD sgd({w}, {.lr = 0.1f, .momentum = 0.9f, .update_in_backward = true});
    const Var x(Tensor::uniform({3, 4}, -1.0f, 1.0f, rng));
    const std::vector<int32_t> y = {0, 1, 2};

    // Weight sharing: the second linear's gradient would land after the first one's update.
    const Var twice = autograd::linear(autograd::linear(x, w), w);
    REQUIRE_THROWS_WITH(autograd::cross_entropy(twice, y).backward(), Catch::Contains("used twice in one graph"));
    sgd.step();  // ends the step (the first update was applied)

    autograd::cross_entropy(autograd::linear(x, w), y).backward();
    REQUIRE_THROWS_WITH(autograd::cross_entropy(autograd::linear(x, w), y).backward(),
                        Catch::Contains("backward ran twice"));
}

TEST_CASE("SGD inside backward saves and restores its momentum like SGD after backward", "[optim]") {
    Rng rng(5);
    auto model = nn::make_mlp(6, {8}, 3, rng);
    optim::SGD sgd(model->parameters(), {.lr = 0.1f, .momentum = 0.9f, .update_in_backward = true});
    REQUIRE(sgd.state().tensors.empty());  // nothing stepped yet: no state, like PyTorch
    const Var x(Tensor::uniform({4, 6}, -1.0f, 1.0f, rng));
    autograd::cross_entropy((*model)(x), {0, 1, 2, 0}).backward();
    sgd.step();
    const optim::OptimizerState saved = sgd.state();
    REQUIRE(saved.tensors.size() == model->parameters().size());

    Rng rng2(5);
    auto other = nn::make_mlp(6, {8}, 3, rng2);
    optim::SGD restored(other->parameters(), {.lr = 0.1f, .momentum = 0.9f, .update_in_backward = true});
    restored.load_state(saved);
    for (const auto& [key, buffer] : saved.tensors)
        REQUIRE(restored.state().tensors.at(key).to_vector() == buffer.to_vector());
}

TEST_CASE("SGD inside backward: an input gradient that accumulates from two linear layers is unchanged", "[optim]") {
    // x feeds two layers; the second backward adds into x's gradient (beta 1) in the fused pass.
    auto run = [](bool in_backward) {
        Rng rng(9);
        Var w1(Tensor::uniform({70, 53}, -0.2f, 0.2f, rng), true), w2(Tensor::uniform({70, 53}, -0.2f, 0.2f, rng), true);
        optim::SGD sgd({w1, w2}, {.lr = 0.1f, .momentum = 0.9f, .update_in_backward = in_backward});
        Var x(Tensor::uniform({13, 53}, -1.0f, 1.0f, rng), true);
        std::vector<int32_t> y(13);
        for (auto& v : y) v = static_cast<int32_t>(rng.randint(70));
        const Var out = autograd::add(autograd::linear(x, w1), autograd::linear(x, w2));
        autograd::cross_entropy(out, y).backward();
        sgd.step();
        return std::vector<std::vector<float>>{x.grad().to_vector(), w1.value().to_vector(), w2.value().to_vector()};
    };
    REQUIRE(run(true) == run(false));
}
