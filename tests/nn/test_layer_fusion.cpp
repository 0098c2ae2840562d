// Sequential's layer fusion (nn/sequential.h): a Conv2d followed by a ReLU runs as one
// autograd::conv2d_relu. Checked on the paper's CNN: the loss, the logits and every parameter's
// gradient equal the unfused model's bit for bit, the graph really holds conv2d_relu nodes (and none
// with fusion off), the ReLU's hooks still fire with its output, and a hook on the convolution itself
// turns fusion off for that layer, so the hook sees the pre-activation values.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "nn/models/cnn.h"
#include "nn/sequential.h"

using namespace probenet;
using namespace probenet::nn;

namespace {

struct StepResult {
    std::vector<float> logits;
    std::map<std::string, std::vector<float>> grads;
    int fused_nodes = 0;
};

// One forward and backward of a fresh paper CNN (same seed every call) on a fixed batch.
StepResult step(bool fusion) {
    set_layer_fusion(fusion);
    Rng rng(5);
    auto model = make_paper_cnn(1, 28, 10, rng);
    const Var logits = (*model)(Var(Tensor::normal({6, 1, 28, 28}, 0, 1, rng)));
    StepResult r;
    r.logits = logits.value().to_vector();
    // The nodes of the graph, from the logits back: count those that ran a fused convolution.
    std::vector<const autograd::Node*> todo = {logits.impl()->producer.get()};
    std::set<const autograd::Node*> seen;
    while (!todo.empty()) {
        const autograd::Node* n = todo.back();
        todo.pop_back();
        if (!n || !seen.insert(n).second) continue;
        if (std::string(n->name()) == "conv2d_relu") ++r.fused_nodes;
        for (const auto& in : n->inputs) todo.push_back(in->producer.get());
    }
    autograd::cross_entropy(logits, {0, 1, 2, 3, 4, 5}).backward();
    for (const auto& [name, p] : model->named_parameters()) r.grads[name] = p.grad().to_vector();
    set_layer_fusion(true);
    return r;
}

}  // namespace

TEST_CASE("layer fusion: the paper CNN's logits and gradients equal the unfused model's bit for bit",
          "[nn][fusion]") {
    const StepResult fused = step(true), plain = step(false);
    REQUIRE(fused.fused_nodes == 6);  // every conv block
    REQUIRE(plain.fused_nodes == 0);
    REQUIRE(fused.logits == plain.logits);
    REQUIRE(fused.grads.size() == plain.grads.size());
    for (const auto& [name, g] : plain.grads) {
        INFO(name);
        REQUIRE(fused.grads.at(name) == g);
    }
}

TEST_CASE("layer fusion: ReLU hooks see the fused output; a conv hook sees the pre-activation", "[nn][fusion]") {
    Rng rng(6);
    auto model = make_paper_cnn(1, 28, 10, rng);
    const Var x(Tensor::normal({2, 1, 28, 28}, 0, 1, rng));
    Tensor relu_out, conv_out, block_out;
    auto relu_hook = model->find_or_throw("conv2.relu").register_forward_hook(
        [&](const Module&, const Tensor& y) { relu_out = y; });
    auto block_hook = model->find_or_throw("conv2").register_forward_hook(
        [&](const Module&, const Tensor& y) { block_out = y; });
    (*model)(x);
    REQUIRE(relu_out.defined());
    REQUIRE(relu_out.data() == block_out.data());  // the block's output is the ReLU's, no copy

    auto conv_hook = model->find_or_throw("conv2.conv").register_forward_hook(
        [&](const Module&, const Tensor& y) { conv_out = y; });
    (*model)(x);
    REQUIRE(conv_out.defined());
    const std::vector<float> pre = conv_out.to_vector(), post = relu_out.to_vector();
    bool negative = false;
    for (size_t i = 0; i < pre.size(); ++i) {
        negative = negative || pre[i] < 0.0f;
        REQUIRE(post[i] == (pre[i] > 0.0f ? pre[i] : 0.0f));
    }
    REQUIRE(negative);  // the hook got the convolution's own output, not the ReLU's
}
