// probe_model end to end on a tiny network: hooks feed the right rows, both label sets are kept
// apart, batching does not change results, and the model's own accuracies are counted.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "nn/models/mlp.h"
#include "probe/class_gram.h"
#include "probe/pca.h"
#include "probe/probe_run.h"
#include "tensor/error.h"
#include "tensor/ops.h"

using namespace probenet;

namespace {

// 3 classes in ℝ⁸ (samples (1, 2, 4)): class c lives near the plane of axes 2c and 2c+1. Datasets hold
// u8 pixels, so each value v ~ N(0, ·) is stored as the byte nearest 127.5·(1 + v/4) and scaled back
// into [−1, 1] (the pixel 0.0 is not representable: the nearest bytes give ±0.004).
data::Dataset synthetic(int64_t n, uint32_t seed) {
    Rng rng(seed);
    std::vector<float> x(static_cast<size_t>(n * 8));
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < n; ++i) {
        const int32_t c = static_cast<int32_t>(i % 3);
        labels.push_back(c);
        for (int j = 0; j < 8; ++j) x[static_cast<size_t>(i * 8 + j)] = rng.normal(0.0f, 0.05f);
        x[static_cast<size_t>(i * 8 + 2 * c)] += rng.normal(0.0f, 1.0f);
        x[static_cast<size_t>(i * 8 + 2 * c + 1)] += rng.normal(0.0f, 1.0f);
    }
    std::vector<uint8_t> pixels(x.size());
    for (size_t i = 0; i < x.size(); ++i)
        pixels[i] = static_cast<uint8_t>(std::clamp(std::lround(127.5f * (1.0f + x[i] / 4.0f)), 0L, 255L));
    return data::make_dataset("synthetic", std::move(pixels), {1, 2, 4}, data::Scaling::MinusOneToOne,
                              std::move(labels), 3);
}

}  // namespace

TEST_CASE("probe_model: reports per layer and label set, input layer equal to a direct fit", "[probe]") {
    data::Dataset train = synthetic(300, 1), test = synthetic(90, 2);
    for (size_t i = 0; i < train.train_labels.size(); i += 4) train.train_labels[i] = (train.train_labels[i] + 1) % 3;
    Rng rng(3);
    auto model = nn::make_mlp(8, {6}, 3, rng);
    probe::ProbeConfig config;
    config.layers = {"input", "fc1"};
    config.batch = 64;  // several batches, a short last one
    const probe::ProbeResult r = probe::probe_model(*model, train, test, config);
    REQUIRE(r.reports.size() == 4);
    REQUIRE(r.reports[0].layer == "input");
    REQUIRE(r.reports[0].subspaces == "corrupted");
    REQUIRE(r.reports[1].subspaces == "true");
    REQUIRE(r.reports[2].layer == "fc1");
    REQUIRE(r.reports[2].dim == 6);
    // True-label subspaces of the input separate the three planes (rows whose signal is smaller
    // than the noise can fall either way).
    REQUIRE(r.reports[1].test > 0.95);
    REQUIRE(r.reports[1].train[1] > 0.95);
    // A class fit on corrupted labels mixes in another class's plane, so it needs more components.
    REQUIRE(r.reports[0].k_total() > r.reports[1].k_total());
    // The same fit done directly on the flattened images gives the same k per class.
    probe::ClassGram gram("input", 8, 3, 1);
    const Tensor rows = train.batch_images(0, 300).reshape({300, 8});
    gram.add(rows.data(), 300, train.true_labels.data());
    const auto direct = probe::fit_subspaces(gram, config.options.thresholds[0]);
    REQUIRE(direct[0].k_per_class() == r.reports[1].k_per_class);
    // The model's own accuracies equal an explicit count.
    autograd::NoGradGuard no_grad;
    model->eval();
    const auto pred = ops::argmax_rows((*model)(autograd::Var(test.batch_images(0, test.size()))).value());
    int64_t correct = 0;
    for (size_t i = 0; i < pred.size(); ++i) correct += pred[i] == test.true_labels[i];
    REQUIRE(r.model_test == Approx(double(correct) / 90.0));
}

TEST_CASE("probe_model: batch size does not change the results", "[probe]") {
    data::Dataset train = synthetic(150, 4), test = synthetic(30, 5);
    Rng rng(6);
    auto model = nn::make_mlp(8, {5}, 3, rng);
    probe::ProbeConfig a, b;
    a.layers = b.layers = {"input", "fc1", "classifier"};
    a.batch = 150;
    b.batch = 7;
    const auto ra = probe::probe_model(*model, train, test, a), rb = probe::probe_model(*model, train, test, b);
    for (size_t i = 0; i < ra.reports.size(); ++i) {
        REQUIRE(ra.reports[i].k_per_class == rb.reports[i].k_per_class);
        REQUIRE(ra.reports[i].test == rb.reports[i].test);
        REQUIRE(ra.reports[i].train[0] == rb.reports[i].train[0]);
    }
}

TEST_CASE("probe_model: MASC in float32 (certified) and in float64 give the same reports and count rescored rows",
          "[probe]") {
    data::Dataset train = synthetic(300, 21), test = synthetic(90, 22);
    for (size_t i = 0; i < train.train_labels.size(); i += 3) train.train_labels[i] = (train.train_labels[i] + 1) % 3;
    Rng rng(23);
    auto model = nn::make_mlp(8, {6}, 3, rng);
    probe::ProbeConfig f32, f64;
    f32.layers = f64.layers = {"input", "fc1"};
    f32.batch = f64.batch = 64;
    f64.options.masc_precision = probe::MascPrecision::Float64;
    const auto a = probe::probe_model(*model, train, test, f32), b = probe::probe_model(*model, train, test, f64);
    REQUIRE(a.reports.size() == b.reports.size());
    for (size_t i = 0; i < a.reports.size(); ++i) {
        REQUIRE(probe::csv_line(a.reports[i]) == probe::csv_line(b.reports[i]));
        REQUIRE(a.reports[i].rescored_rows >= 0);
        REQUIRE(a.reports[i].rescored_rows <= 390);
        REQUIRE(b.reports[i].rescored_rows == -1);
    }
}

TEST_CASE("probe_model: an unknown layer is named with the ones that exist", "[probe][errors]") {
    data::Dataset train = synthetic(30, 7), test = synthetic(9, 8);
    Rng rng(9);
    auto model = nn::make_mlp(8, {4}, 3, rng);
    probe::ProbeConfig config;
    config.layers = {"fc7"};
    REQUIRE_THROWS_WITH(probe::probe_model(*model, train, test, config),
                        Catch::Contains("fc7") && Catch::Contains("fc1.relu"));
}

TEST_CASE("probe_model: every probe, a threshold sweep and an extra label set give one row each", "[probe]") {
    data::Dataset train = synthetic(240, 11), test = synthetic(60, 12);
    for (size_t i = 0; i < train.train_labels.size(); i += 5) train.train_labels[i] = (train.train_labels[i] + 1) % 3;
    Rng rng(13);
    auto model = nn::make_mlp(8, {6}, 3, rng);
    probe::ProbeConfig config;
    config.layers = {"input", "fc1"};
    config.probes = {"masc", "ncm", "knn", "lda", "qda", "linear"};
    config.options.thresholds = {probe::VarianceFraction{0.5}, probe::VarianceFraction{0.99}, probe::ComponentCount{1}};
    config.options.linear_epochs = 3;
    std::vector<int32_t> shuffled = train.true_labels;
    std::rotate(shuffled.begin(), shuffled.begin() + 1, shuffled.end());
    config.extra_label_sets.push_back({"rotated", shuffled});
    config.batch = 50;
    const probe::ProbeResult r = probe::probe_model(*model, train, test, config);
    REQUIRE(r.label_sets == std::vector<std::string>{"corrupted", "true", "rotated"});
    // Per layer: masc 3 thresholds × 3 sets + 5 probes × 3 sets.
    REQUIRE(r.reports.size() == 2 * (9 + 15));
    for (const probe::LayerReport& rep : r.reports) {
        INFO(rep.layer << " " << rep.probe_name() << " fit on " << rep.subspaces);
        REQUIRE(rep.train.size() == 3);
        REQUIRE((rep.probe == "masc") == !rep.threshold.empty());
        REQUIRE((rep.probe == "masc") == !rep.k_per_class.empty());
        // The three planes (zero-mean, so no class mean to go by) separate by subspace and by neighbours.
        if (rep.layer == "input" && rep.subspaces == "true" && (rep.probe == "knn" || rep.threshold == "0.99"))
            REQUIRE(rep.test > 0.9);
        // A probe fit on a label set agrees with it on the training rows at least as well as chance.
        const size_t own = static_cast<size_t>(
            std::find(r.label_sets.begin(), r.label_sets.end(), rep.subspaces) - r.label_sets.begin());
        if (rep.probe == "knn") REQUIRE(rep.train.at(own) > 0.6);
    }
    // Thresholds in a sweep give the same subspaces as a run with that threshold alone.
    probe::ProbeConfig single = config;
    single.probes = {"masc"};
    single.options.thresholds = {probe::VarianceFraction{0.99}};
    const probe::ProbeResult one = probe::probe_model(*model, train, test, single);
    for (const probe::LayerReport& a : one.reports) {
        bool matched = false;
        for (const probe::LayerReport& b : r.reports)
            if (b.layer == a.layer && b.probe == "masc" && b.threshold == "0.99" && b.subspaces == a.subspaces) {
                REQUIRE(b.k_per_class == a.k_per_class);
                REQUIRE(b.train == a.train);
                REQUIRE(b.test == a.test);
                matched = true;
            }
        REQUIRE(matched);
    }
    REQUIRE(r.timings.size() == 6);
}

TEST_CASE("probe_model: an unknown probe and rows over the memory limit fail before any pass", "[probe][errors]") {
    data::Dataset train = synthetic(30, 14), test = synthetic(9, 15);
    Rng rng(16);
    auto model = nn::make_mlp(8, {4}, 3, rng);
    probe::ProbeConfig config;
    config.layers = {"input", "fc1"};
    config.probes = {"masc", "svm"};
    REQUIRE_THROWS_WITH(probe::probe_model(*model, train, test, config),
                        Catch::Contains("svm") && Catch::Contains("masc, ncm, knn, lda, qda, linear"));
    config.probes = {"knn"};
    config.row_memory_limit = 100;  // bytes: 30 rows of width 8 and 4 need more
    REQUIRE_THROWS_WITH(probe::probe_model(*model, train, test, config),
                        Catch::Contains("knn") && Catch::Contains("--probe-memory") && Catch::Contains("GB"));
    config.probes = {"qda"};
    config.options.qda_reg = -1;
    REQUIRE_THROWS_WITH(probe::probe_model(*model, train, test, config), Catch::Contains("--qda-reg"));
}

TEST_CASE("probe_model: the fit's pass runs the network only up to the deepest probed layer", "[probe]") {
    data::Dataset train = synthetic(300, 1), test = synthetic(90, 2);
    Rng rng(3);
    auto model = nn::make_mlp(8, {6}, 3, rng);
    int fc1_calls = 0, classifier_calls = 0;
    auto count_fc1 = model->find_or_throw("fc1").register_forward_hook(
        [&](const nn::Module&, const Tensor&) { ++fc1_calls; });
    auto count_classifier = model->find_or_throw("classifier").register_forward_hook(
        [&](const nn::Module&, const Tensor&) { ++classifier_calls; });
    probe::ProbeConfig config;
    config.batch = 64;  // train: 5 batches, test: 2

    // Probing fc1: the check and pass 1 stop after it; pass 2 (the model's own accuracy) runs it all.
    config.layers = {"input", "fc1"};
    const probe::ProbeResult r = probe::probe_model(*model, train, test, config);
    CHECK(fc1_calls == 1 + 5 + 5 + 2);
    CHECK(classifier_calls == 5 + 2);
    CHECK(r.model_test > 0.0);  // pass 2 still counted the model's predictions

    // Probing the input alone: no forward at all until pass 2.
    fc1_calls = classifier_calls = 0;
    config.layers = {"input"};
    probe::probe_model(*model, train, test, config);
    CHECK(fc1_calls == 5 + 2);
    CHECK(classifier_calls == 5 + 2);
}

TEST_CASE("probe_model: nearest class mean alone (no Grams gathered) equals it beside MASC", "[probe]") {
    data::Dataset train = synthetic(300, 1), test = synthetic(90, 2);
    Rng rng(3);
    auto model = nn::make_mlp(8, {6}, 3, rng);
    probe::ProbeConfig config;
    config.layers = {"input", "fc1"};
    config.batch = 64;
    config.probes = {"ncm"};
    const probe::ProbeResult alone = probe::probe_model(*model, train, test, config);
    config.probes = {"masc", "ncm"};
    const probe::ProbeResult beside = probe::probe_model(*model, train, test, config);
    size_t compared = 0;
    for (const probe::LayerReport& a : alone.reports)
        for (const probe::LayerReport& b : beside.reports)
            if (b.probe == "ncm" && a.layer == b.layer && a.subspaces == b.subspaces) {
                CHECK(a.test == b.test);
                CHECK(a.train == b.train);
                ++compared;
            }
    CHECK(compared == alone.reports.size());
    CHECK(compared == 4);
}
