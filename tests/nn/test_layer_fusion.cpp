// Sequential's layer fusion (nn/sequential.h): a Conv2d followed by a ReLU runs as one
// autograd::conv2d_relu, and with a MaxPool2d after it as one conv2d_relu_maxpool, across the borders of
// the nested blocks (convI = Sequential(conv, relu), then poolK). Checked on the paper's CNN: the logits
// and every parameter's gradient equal the unfused model's bit for bit, the graph really holds the fused
// nodes (and none with fusion off), the ReLU's hooks still fire with its output, a hook on a block keeps
// its pool apart, and a hook on the convolution itself turns fusion off for that layer, so the hook sees
// the pre-activation values.
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

// The nodes of the graph that made `out`, counted by name.
std::map<std::string, int> node_counts(const Var& out) {
    std::map<std::string, int> counts;
    std::vector<const autograd::Node*> todo = {out.impl()->producer.get()};
    std::set<const autograd::Node*> seen;
    while (!todo.empty()) {
        const autograd::Node* n = todo.back();
        todo.pop_back();
        if (!n || !seen.insert(n).second) continue;
        ++counts[n->name()];
        for (const auto& in : n->inputs) todo.push_back(in->producer.get());
    }
    return counts;
}

struct StepResult {
    std::vector<float> logits;
    std::map<std::string, std::vector<float>> grads;
    std::map<std::string, int> nodes;  // graph nodes by name
};

// One forward and backward of a fresh paper CNN (same seed every call) on a fixed batch.
StepResult step(bool fusion) {
    set_layer_fusion(fusion);
    Rng rng(5);
    auto model = make_paper_cnn(1, 28, 10, rng);
    const Var logits = (*model)(Var(Tensor::normal({6, 1, 28, 28}, 0, 1, rng)));
    StepResult r;
    r.logits = logits.value().to_vector();
    r.nodes = node_counts(logits);
    autograd::cross_entropy(logits, {0, 1, 2, 3, 4, 5}).backward();
    for (const auto& [name, p] : model->named_parameters()) r.grads[name] = p.grad().to_vector();
    set_layer_fusion(true);
    return r;
}

}  // namespace

TEST_CASE("layer fusion: the paper CNN's logits and gradients equal the unfused model's bit for bit",
          "[nn][fusion]") {
    StepResult fused = step(true), plain = step(false);
    REQUIRE(fused.nodes["conv2d_relu"] == 3);          // conv1, conv3, conv5
    REQUIRE(fused.nodes["conv2d_relu_maxpool"] == 3);  // conv2 + pool1, conv4 + pool2, conv6 + pool3
    REQUIRE(fused.nodes["relu"] == 3);                 // fc1–fc3
    REQUIRE(fused.nodes["max_pool2d"] == 0);
    REQUIRE(plain.nodes["conv2d"] == 6);
    REQUIRE(plain.nodes["conv2d_relu"] + plain.nodes["conv2d_relu_maxpool"] == 0);
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
    Tensor pool_out;
    auto pool_hook = model->find_or_throw("pool1").register_forward_hook(
        [&](const Module&, const Tensor& y) { pool_out = y; });
    const Var logits = (*model)(x);
    REQUIRE(relu_out.defined());
    REQUIRE(relu_out.data() == block_out.data());  // the block's output is the ReLU's, no copy
    REQUIRE(pool_out.shape() == Shape{2, 16, 14, 14});
    // The block's hook kept pool1 apart (the ReLU's output had to exist): a max_pool2d node, and the
    // other two pools still fused.
    std::map<std::string, int> nodes = node_counts(logits);
    REQUIRE(nodes["max_pool2d"] == 1);
    REQUIRE(nodes["conv2d_relu_maxpool"] == 2);

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
