#include "probe/probe_run.h"

#include <chrono>
#include <functional>
#include <memory>

#include "autograd/grad_mode.h"
#include "probe/class_gram.h"
#include "probe/pca.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::probe {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A layer output as host rows (n, d): flattened, copied off the GPU if needed.
Tensor as_rows(const Tensor& output) {
    const int64_t n = output.dim(0);
    return output.reshape({n, n ? output.numel() / n : 0}).to(Device::CPU);
}

// Runs `dataset` through `model` batch by batch; `on_layer(layer index, rows, begin)` receives each
// probed layer's rows for samples [begin, begin + n); `on_logits(logits, begin)` the model output.
void stream(nn::Module& model, const data::Dataset& dataset, const ProbeConfig& config,
            const std::function<void(size_t, const Tensor&, int64_t)>& on_layer,
            const std::function<void(const Tensor&, int64_t)>& on_logits) {
    autograd::NoGradGuard no_grad;
    int64_t begin = 0;
    std::vector<nn::HookHandle> hooks;
    for (size_t i = 0; i < config.layers.size(); ++i) {
        if (config.layers[i] == "input") continue;
        hooks.push_back(model.find_or_throw(config.layers[i]).register_forward_hook(
            [&, i](const nn::Module&, const Tensor& y) { on_layer(i, as_rows(y), begin); }));
    }
    for (; begin < dataset.size(); begin += config.batch) {
        const int64_t end = std::min(dataset.size(), begin + config.batch);
        const Tensor x = dataset.batch_images(begin, end);
        for (size_t i = 0; i < config.layers.size(); ++i)
            if (config.layers[i] == "input") on_layer(i, as_rows(x), begin);
        const Tensor logits = model(autograd::Var(x.to(config.device))).value();
        on_logits(logits, begin);
    }
}

int64_t count_matches(const std::vector<int32_t>& pred, const std::vector<int32_t>& labels, int64_t begin) {
    int64_t n = 0;
    for (size_t i = 0; i < pred.size(); ++i) n += pred[i] == labels[static_cast<size_t>(begin) + i];
    return n;
}

}  // namespace

ProbeResult probe_model(nn::Module& model, const data::Dataset& train, const data::Dataset& test,
                        const ProbeConfig& config) {
    PROBENET_CHECK(!config.layers.empty(), "probe: no layers to probe");
    PROBENET_CHECK(train.size() > 0 && test.size() > 0, "probe: empty train or test set");
    validate(config.threshold);
    const bool was_training = model.training();
    model.eval();
    const int32_t K = train.num_classes;
    const size_t L = config.layers.size();
    ProbeResult result;

    // Pass 1: per-class Grams under both label sets.
    auto t = Clock::now();
    std::vector<std::unique_ptr<ClassGram>> grams(L);
    stream(
        model, train, config,
        [&](size_t i, const Tensor& rows, int64_t begin) {
            if (!grams[i]) grams[i] = std::make_unique<ClassGram>(config.layers[i], rows.dim(1), K, 2);
            const int32_t* labels[2] = {train.train_labels.data() + begin, train.true_labels.data() + begin};
            grams[i]->add(rows.data(), rows.dim(0), labels);
        },
        [](const Tensor&, int64_t) {});
    result.seconds_pass1 = since(t);

    // Fit: both subspace sets of every layer; each layer's Grams are freed once fitted.
    t = Clock::now();
    std::vector<std::vector<LayerSubspaces>> subspaces(L);
    for (size_t i = 0; i < L; ++i) {
        subspaces[i] = fit_subspaces(*grams[i], config.threshold);
        grams[i].reset();
    }
    result.seconds_fit = since(t);

    // Pass 2: MASC on train (vs corrupted and true labels) and test, and the model's own accuracy.
    t = Clock::now();
    std::vector<std::unique_ptr<Masc>> masc(L);
    std::vector<std::unique_ptr<MascTally>> train_tally(L), test_tally(L);
    for (size_t i = 0; i < L; ++i) {
        masc[i] = std::make_unique<Masc>(std::vector<const LayerSubspaces*>{&subspaces[i][0], &subspaces[i][1]},
                                         config.zero_rows);
        train_tally[i] = std::make_unique<MascTally>(*masc[i], 2);
        test_tally[i] = std::make_unique<MascTally>(*masc[i], 1);
    }
    int64_t model_corrupt = 0, model_true = 0, model_test = 0;
    stream(
        model, train, config,
        [&](size_t i, const Tensor& rows, int64_t begin) {
            const int32_t* labels[2] = {train.train_labels.data() + begin, train.true_labels.data() + begin};
            train_tally[i]->add(rows.data(), rows.dim(0), labels);
        },
        [&](const Tensor& logits, int64_t begin) {
            const std::vector<int32_t> pred = ops::argmax_rows(logits);
            model_corrupt += count_matches(pred, train.train_labels, begin);
            model_true += count_matches(pred, train.true_labels, begin);
        });
    stream(
        model, test, config,
        [&](size_t i, const Tensor& rows, int64_t begin) {
            const int32_t* labels[1] = {test.true_labels.data() + begin};
            test_tally[i]->add(rows.data(), rows.dim(0), labels);
        },
        [&](const Tensor& logits, int64_t begin) {
            model_test += count_matches(ops::argmax_rows(logits), test.true_labels, begin);
        });
    result.seconds_pass2 = since(t);

    result.model_train_corrupt = double(model_corrupt) / double(train.size());
    result.model_train_true = double(model_true) / double(train.size());
    result.model_test = double(model_test) / double(test.size());
    for (size_t i = 0; i < L; ++i)
        for (LayerReport& r : layer_reports(subspaces[i], *train_tally[i], *test_tally[i]))
            result.reports.push_back(std::move(r));
    model.train(was_training);
    return result;
}

}  // namespace probenet::probe
