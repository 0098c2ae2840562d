// forward_in_batches (nn/forward_in_batches.h): every sample exactly once in order with a short last
// batch, the model in eval mode during the loop (Dropout inactive) and its mode restored afterwards
// (also when a callback throws), no autograd graph recorded, hooks seeing the batch `images` last drew,
// and a clear error for a non-positive batch.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "autograd/grad_mode.h"
#include "nn/dropout.h"
#include "nn/forward_in_batches.h"
#include "nn/linear.h"
#include "nn/sequential.h"
#include "tensor/error.h"
#include "tensor/ops.h"

using namespace probenet;

namespace {

std::unique_ptr<nn::Sequential> dropout_then_linear(Rng& rng) {
    auto model = std::make_unique<nn::Sequential>();
    model->add("drop", std::make_unique<nn::Dropout>(0.5f, 7));
    model->add("fc", std::make_unique<nn::Linear>(4, 3, true, rng));
    return model;
}

}  // namespace

TEST_CASE("forward_in_batches: all samples in order, eval mode, mode restored, no graph", "[nn][forward]") {
    Rng rng(3);
    auto model = dropout_then_linear(rng);
    const Tensor all = Tensor::normal({10, 4}, 0.0f, 1.0f, rng);
    model->train();

    std::vector<int64_t> begins, hook_begins;
    int64_t drawn_begin = -1;
    auto hook = model->find_or_throw("fc").register_forward_hook(
        [&](const nn::Module&, const Tensor&) { hook_begins.push_back(drawn_begin); });
    std::vector<float> logits_seen;
    nn::forward_in_batches(
        *model, 10, 4, Device::CPU,
        [&](int64_t begin, int64_t end) {
            drawn_begin = begin;
            Tensor x = Tensor::empty({end - begin, 4});
            for (int64_t i = begin; i < end; ++i)
                for (int64_t j = 0; j < 4; ++j) x.at({i - begin, j}) = all.at({i, j});
            return x;
        },
        [&](const Tensor& x, const Tensor& logits, int64_t begin) {
            CHECK(model->training() == false);
            CHECK_FALSE(autograd::grad_enabled());
            CHECK(logits.dim(0) == x.dim(0));
            begins.push_back(begin);
            for (int64_t i = 0; i < logits.numel(); ++i) logits_seen.push_back(logits.data()[i]);
        });
    CHECK(begins == std::vector<int64_t>{0, 4, 8});
    CHECK(hook_begins == begins);
    CHECK(model->training());

    // Eval mode: Dropout is the identity, so the logits are exactly the Linear layer's.
    model->eval();
    autograd::Var expected = (*model)(autograd::Var(all));
    REQUIRE(static_cast<int64_t>(logits_seen.size()) == expected.value().numel());
    for (size_t i = 0; i < logits_seen.size(); ++i) CHECK(logits_seen[i] == expected.value().data()[i]);
}

TEST_CASE("forward_in_batches: no gradient graph, mode restored after a throw, bad batch refused",
          "[nn][forward]") {
    Rng rng(4);
    auto model = dropout_then_linear(rng);
    model->train();
    const auto images = [](int64_t begin, int64_t end) { return Tensor::ones({end - begin, 4}); };
    nn::forward_in_batches(*model, 3, 2, Device::CPU, images,
                           [&](const Tensor&, const Tensor&, int64_t) {
                               CHECK_FALSE(autograd::grad_enabled());
                           });
    CHECK_THROWS_AS(nn::forward_in_batches(*model, 3, 2, Device::CPU, images,
                                           [](const Tensor&, const Tensor&, int64_t) {
                                               throw std::runtime_error("stop");
                                           }),
                    std::runtime_error);
    CHECK(model->training());
    CHECK_THROWS_WITH(nn::forward_in_batches(*model, 3, 0, Device::CPU, images,
                                             [](const Tensor&, const Tensor&, int64_t) {}),
                      Catch::Contains("batch size 0"));
}

TEST_CASE("forward_in_batches: a hook's StopForward ends the forward, run_model = false skips it",
          "[nn][forward]") {
    Rng rng(5);
    auto model = dropout_then_linear(rng);
    int fc_calls = 0;
    auto stop = model->find_or_throw("drop").register_forward_hook(
        [](const nn::Module&, const Tensor&) { throw nn::StopForward{}; });
    auto count = model->find_or_throw("fc").register_forward_hook(
        [&](const nn::Module&, const Tensor&) { ++fc_calls; });
    const auto images = [](int64_t begin, int64_t end) { return Tensor::ones({end - begin, 4}); };
    int batches = 0;
    nn::forward_in_batches(*model, 5, 2, Device::CPU, images,
                           [&](const Tensor& x, const Tensor& logits, int64_t) {
                               CHECK_FALSE(logits.defined());
                               CHECK(x.dim(0) >= 1);
                               ++batches;
                           });
    CHECK(batches == 3);
    CHECK(fc_calls == 0);  // the layer after the stopping hook never ran

    int drop_calls = 0;
    auto count_drop = model->find_or_throw("drop").register_forward_hook(
        [&](const nn::Module&, const Tensor&) { ++drop_calls; });
    nn::forward_in_batches(
        *model, 5, 2, Device::CPU, images,
        [&](const Tensor&, const Tensor& logits, int64_t) { CHECK_FALSE(logits.defined()); }, /*run_model=*/false);
    CHECK(drop_calls == 0);
}
