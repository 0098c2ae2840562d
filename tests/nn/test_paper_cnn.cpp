// make_paper_cnn: the paper's CNN layer by layer — names, output shapes at every layer, parameter
// shapes and count, for 1×28×28 (MNIST) and 3×32×32 (CIFAR-10) inputs, and a gradient that reaches
// every parameter.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "autograd/functions.h"
#include "nn/models/cnn.h"

using namespace probenet;
using namespace probenet::nn;

namespace {

// Output shape of every named module below the model in one forward of a batch of 2.
std::map<std::string, Shape> output_shapes(Module& model, const Shape& input) {
    std::map<std::string, Shape> shapes;
    std::vector<HookHandle> handles;
    for (Module* m : model.descendants())
        handles.push_back(m->register_forward_hook([&](const Module& mod, const Tensor& y) { shapes[mod.name()] = y.shape(); }));
    Rng rng(2);
    model(Var(Tensor::normal(input, 0, 1, rng)));
    return shapes;
}

}  // namespace

TEST_CASE("make_paper_cnn for MNIST: names, every layer's output shape, parameters", "[nn][models]") {
    Rng rng(41);
    auto model = make_paper_cnn(1, 28, 10, rng);
    const std::map<std::string, Shape> out = output_shapes(*model, {2, 1, 28, 28});
    const std::map<std::string, Shape> want = {
        {"conv1", {2, 16, 28, 28}}, {"conv1.conv", {2, 16, 28, 28}}, {"conv1.relu", {2, 16, 28, 28}},
        {"conv2", {2, 16, 28, 28}}, {"conv2.conv", {2, 16, 28, 28}}, {"conv2.relu", {2, 16, 28, 28}},
        {"pool1", {2, 16, 14, 14}},
        {"conv3", {2, 32, 14, 14}}, {"conv3.conv", {2, 32, 14, 14}}, {"conv3.relu", {2, 32, 14, 14}},
        {"conv4", {2, 32, 14, 14}}, {"conv4.conv", {2, 32, 14, 14}}, {"conv4.relu", {2, 32, 14, 14}},
        {"pool2", {2, 32, 7, 7}},
        {"conv5", {2, 64, 7, 7}},   {"conv5.conv", {2, 64, 7, 7}},   {"conv5.relu", {2, 64, 7, 7}},
        {"conv6", {2, 64, 7, 7}},   {"conv6.conv", {2, 64, 7, 7}},   {"conv6.relu", {2, 64, 7, 7}},
        {"pool3", {2, 64, 3, 3}},
        {"flatten", {2, 576}},
        {"fc1", {2, 250}}, {"fc1.linear", {2, 250}}, {"fc1.relu", {2, 250}},
        {"fc2", {2, 250}}, {"fc2.linear", {2, 250}}, {"fc2.relu", {2, 250}},
        {"fc3", {2, 250}}, {"fc3.linear", {2, 250}}, {"fc3.relu", {2, 250}},
        {"classifier", {2, 10}}};
    REQUIRE(out == want);

    const std::vector<std::pair<std::string, Shape>> params_want = {
        {"conv1.conv.weight", {16, 1, 3, 3}},  {"conv1.conv.bias", {16}}, {"conv2.conv.weight", {16, 16, 3, 3}},
        {"conv2.conv.bias", {16}},             {"conv3.conv.weight", {32, 16, 3, 3}}, {"conv3.conv.bias", {32}},
        {"conv4.conv.weight", {32, 32, 3, 3}}, {"conv4.conv.bias", {32}}, {"conv5.conv.weight", {64, 32, 3, 3}},
        {"conv5.conv.bias", {64}},             {"conv6.conv.weight", {64, 64, 3, 3}}, {"conv6.conv.bias", {64}},
        {"fc1.linear.weight", {250, 576}},     {"fc1.linear.bias", {250}}, {"fc2.linear.weight", {250, 250}},
        {"fc2.linear.bias", {250}},            {"fc3.linear.weight", {250, 250}}, {"fc3.linear.bias", {250}},
        {"classifier.weight", {10, 250}}};
    std::vector<std::pair<std::string, Shape>> params;
    for (const auto& [name, p] : model->named_parameters()) params.emplace_back(name, p.shape());
    REQUIRE(params == params_want);
    // 160 + 2320 + 4640 + 9248 + 18496 + 36928 (convs) + 144250 + 2·62750 (fc) + 2500 (classifier)
    REQUIRE(model->parameter_count() == 344042);
}

TEST_CASE("make_paper_cnn for CIFAR-10: 3 channels in, flatten 1024", "[nn][models]") {
    Rng rng(42);
    auto model = make_paper_cnn(3, 32, 10, rng);
    const std::map<std::string, Shape> out = output_shapes(*model, {2, 3, 32, 32});
    REQUIRE(out.at("pool3") == Shape{2, 64, 4, 4});
    REQUIRE(out.at("flatten") == Shape{2, 1024});
    REQUIRE(out.at("classifier") == Shape{2, 10});
    REQUIRE(model->find_or_throw("conv1.conv").own_parameters().front().second.shape() == Shape{16, 3, 3, 3});
    REQUIRE(model->parameter_count() == 344042 + 16 * 2 * 9 + 448 * 250);
}

TEST_CASE("make_paper_cnn: a loss gradient reaches every parameter", "[nn][models]") {
    Rng rng(43);
    auto model = make_paper_cnn(1, 28, 10, rng);
    Var loss = autograd::cross_entropy((*model)(Var(Tensor::normal({4, 1, 28, 28}, 0, 1, rng))), {0, 3, 7, 9});
    loss.backward();
    for (const auto& [name, p] : model->named_parameters()) {
        INFO(name);
        REQUIRE(p.grad().defined());
        double norm = 0;
        for (float g : p.grad().to_vector()) norm += double(g) * g;
        REQUIRE(norm > 0);
    }
}
