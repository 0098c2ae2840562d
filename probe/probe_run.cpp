#include "probe/probe_run.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>

#include "data/label_corruption.h"
#include "probe/class_gram.h"
#include "probe/layer_stream.h"
#include "probe/probe_registry.h"
#include "probe/row_gather.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::probe {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }


// Agreements of `pred` with labels[begin, begin + pred.size()).
int64_t count_matches(const std::vector<int32_t>& pred, const std::vector<int32_t>& labels, int64_t begin) {
    return data::count_equal(pred, std::span(labels).subspan(static_cast<size_t>(begin), pred.size()));
}

int64_t count_zero_rows(const float* rows, int64_t n, int64_t d) {
    int64_t zeros = 0;
    for (int64_t i = 0; i < n; ++i) {
        const float* r = rows + i * d;
        zeros += std::all_of(r, r + d, [](float v) { return v == 0.0f; });
    }
    return zeros;
}


// One probe of one layer in pass 2: the rows it has not predicted yet, its predictions and the
// agreement tallies.
struct Scoring {
    std::unique_ptr<Probe> probe;
    size_t variants = 1;
    std::vector<int64_t> train_correct;  // [(v·S + fit set)·S + label set]
    std::vector<int64_t> test_correct;   // [v·S + fit set]
    std::vector<int32_t> predictions;
    RowGather gathered;
    double seconds_predict = 0;

    // Rows [begin, begin + n) of one forward batch, (n, d), predicted once probe->rows_per_predict()
    // rows are there; on_predicted(pred, m, first) hears the V·S prediction arrays of samples
    // [first, first + m) whenever a predict call has run.
    template <typename OnPredicted>
    void add(const float* rows, int64_t n, int64_t d, int64_t begin, int32_t sets, const OnPredicted& on_predicted) {
        gathered.add(rows, n, d, begin, probe->rows_per_predict(), predicting(sets, on_predicted));
    }
    template <typename OnPredicted>
    void flush(int64_t d, int32_t sets, const OnPredicted& on_predicted) {
        gathered.flush(d, predicting(sets, on_predicted));
    }

    // Predicts n rows and returns pointers to the V·S prediction arrays.
    std::vector<int32_t*> predict(const float* rows, int64_t n, int32_t sets) {
        const auto t = Clock::now();
        predictions.resize(static_cast<size_t>(variants * sets * n));
        std::vector<int32_t*> outs;
        for (size_t g = 0; g < variants * sets; ++g) outs.push_back(predictions.data() + g * n);
        probe->predict(rows, n, outs);
        seconds_predict += since(t);
        return outs;
    }

private:
    template <typename OnPredicted>
    auto predicting(int32_t sets, const OnPredicted& on_predicted) {
        return [this, sets, &on_predicted](const float* rows, int64_t m, int64_t first) {
            on_predicted(predict(rows, m, sets), m, first);
        };
    }
};

// Label sets: corrupted (the training labels), true, then the extra ones; their names into `names`.
std::vector<const std::vector<int32_t>*> label_sets_of(const data::Dataset& train, const ProbeConfig& config,
                                                       std::vector<std::string>& names) {
    std::vector<const std::vector<int32_t>*> sets = {&train.train_labels, &train.true_labels};
    names = {"corrupted", "true"};
    for (const LabelSet& s : config.extra_label_sets) {
        PROBENET_CHECK(static_cast<int64_t>(s.labels.size()) == train.size(), "probe: label set ", s.name, " has ",
                       s.labels.size(), " labels for ", train.size(), " training rows");
        for (int32_t l : s.labels)
            PROBENET_CHECK(l >= 0 && l < train.num_classes, "probe: label set ", s.name, " has class ", l,
                           " outside [0, ", train.num_classes, ")");
        sets.push_back(&s.labels);
        names.push_back(s.name);
    }
    return sets;
}

// Pass 1 and fit: every probe of config fitted on every layer under every label set of `sets`
// ([layer][probe]); timings, notes and seconds go into `result`. The model must be in eval mode.
std::vector<std::vector<std::unique_ptr<Probe>>> fit_layers(nn::Module& model, const data::Dataset& train,
                                                            const ProbeConfig& config,
                                                            const std::vector<const std::vector<int32_t>*>& sets,
                                                            const std::vector<int64_t>& dims, ProbeResult& result) {
    const int32_t K = train.num_classes, S = static_cast<int32_t>(sets.size());
    const size_t L = config.layers.size(), P = config.probes.size();
    std::vector<std::string> row_probes;
    ClassGram::Options stats_options;
    stats_options.grams = false;  // Grams only when a probe reads them
    for (const std::string& name : config.probes) {
        const std::unique_ptr<Probe> probe = make_probe(name, config.options);
        if (probe->needs_rows()) row_probes.push_back(name);
        stats_options.grams = stats_options.grams || probe->needs_grams();
    }

    // Pass 1: per-class statistics under every label set, and the rows if a probe keeps them.
    auto t = Clock::now();
    std::vector<std::unique_ptr<ClassGram>> grams(L);
    std::vector<std::vector<float>> rows(L);
    if (!row_probes.empty())  // reserved up front: growing would briefly hold twice the rows
        for (size_t i = 0; i < L; ++i) rows[i].reserve(static_cast<size_t>(train.size() * dims[i]));
    // The rows of every layer are added once kBatchesPerAdd batches of all of them have arrived (a hook
    // may keep its Tensor: nn/hooks.h), the layers side by side, widest first, one per thread: each
    // layer's dsyrk calls then run single-threaded inside the loop, and its per-row bookkeeping (sums,
    // norms, the copies into pending chunks) no longer runs on one thread while the others wait.
    // Several batches per round, because a layer's work per batch is lumpy (a class's Gram takes a
    // dsyrk every 256 of its rows): with one batch per round the memorized MLP's two FC(2048) layers
    // left a thread waiting 0.4 s of pass 1's 7.9 s of adds. Each layer still takes its rows in order.
    constexpr size_t kBatchesPerAdd = 4;
    struct Arrived {
        Tensor rows;
        int64_t begin;
    };
    std::vector<std::vector<Arrived>> arrived(L);  // per layer, in batch order
    size_t waiting = 0;
    std::vector<size_t> widest_first(L);
    for (size_t i = 0; i < L; ++i) widest_first[i] = i;
    std::stable_sort(widest_first.begin(), widest_first.end(),
                     [&](size_t a, size_t b) { return dims[a] > dims[b]; });
    const auto add_layer = [&](size_t i, const Arrived& a) {
        const Tensor& r = a.rows;
        if (!grams[i]) grams[i] = std::make_unique<ClassGram>(config.layers[i], r.dim(1), K, S, stats_options);
        std::vector<const int32_t*> labels;
        for (const auto* s : sets) labels.push_back(s->data() + a.begin);
        grams[i]->add(r.data(), r.dim(0), labels);
        if (!row_probes.empty()) rows[i].insert(rows[i].end(), r.data(), r.data() + r.numel());
    };
    const auto add_arrived = [&] {
        std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1) if (L > 1)
        for (size_t j = 0; j < L; ++j) {
            const size_t i = widest_first[j];
            try {
                for (const Arrived& a : arrived[i]) add_layer(i, a);
            } catch (...) {
#pragma omp critical(probe_pass1_failure)
                if (!failure) failure = std::current_exception();
            }
            arrived[i].clear();
        }
        waiting = 0;
        if (failure) std::rethrow_exception(failure);
    };
    stream_layers(
        "probe pass 1 (statistics)", model, train, config, train.size(),
        [&](size_t i, const Tensor& r, int64_t begin) {
            arrived[i].push_back({r, begin});
            if (++waiting == L * kBatchesPerAdd) add_arrived();
        },
        {});
    if (waiting > 0) add_arrived();  // the last batches
    result.seconds_pass1 = since(t);

    // Fit: every probe of every layer; each layer's statistics and rows are freed once fitted.
    t = Clock::now();
    result.timings.resize(P);
    std::vector<std::vector<std::unique_ptr<Probe>>> fitted(L);
    for (size_t i = 0; i < L; ++i) {
        grams[i]->flush();
        TrainingData data{*grams[i], rows[i].empty() ? nullptr : rows[i].data(), train.size(), {}, result.label_sets};
        for (const auto* s : sets) data.labels.push_back(s->data());
        for (size_t p = 0; p < P; ++p) {
            const auto tp = Clock::now();
            std::unique_ptr<Probe> probe = make_probe(config.probes[p], config.options);
            probe->fit(data);
            result.timings[p].probe = config.probes[p];
            result.timings[p].seconds_fit += since(tp);
            result.timings[p].bytes_held = std::max(result.timings[p].bytes_held, probe->bytes_held());
            if (const std::string note = probe->note(); !note.empty())
                result.notes.push_back("layer " + config.layers[i] + ", " + config.probes[p] + ": " + note);
            fitted[i].push_back(std::move(probe));
        }
        grams[i].reset();
        std::vector<float>().swap(rows[i]);
    }
    result.seconds_fit = since(t);

    return fitted;
}

}  // namespace

ProbeResult probe_model(nn::Module& model, const data::Dataset& train, const data::Dataset& test,
                        const ProbeConfig& config) {
    PROBENET_CHECK(train.size() > 0 && test.size() > 0, "probe: empty train or test set");
    const size_t L = config.layers.size(), P = config.probes.size();
    ProbeResult result;

    const std::vector<const std::vector<int32_t>*> sets = label_sets_of(train, config, result.label_sets);
    const int32_t S = static_cast<int32_t>(sets.size());

    const bool was_training = model.training();
    const std::vector<int64_t> dims = check_probe_config(model, train, config);
    model.eval();
    std::vector<std::vector<Scoring>> scoring(L);
    std::vector<std::vector<std::unique_ptr<Probe>>> fitted = fit_layers(model, train, config, sets, dims, result);
    for (size_t i = 0; i < L; ++i)
        for (std::unique_ptr<Probe>& probe : fitted[i]) {
            Scoring sc;
            sc.probe = std::move(probe);
            sc.variants = sc.probe->variants().size();
            sc.train_correct.assign(sc.variants * S * S, 0);
            sc.test_correct.assign(sc.variants * S, 0);
            scoring[i].push_back(std::move(sc));
        }

    // Pass 2: every probe on train (vs every label set) and test, and the model's own accuracy.
    const auto t = Clock::now();
    std::vector<int64_t> zero_rows(L, 0);
    int64_t model_corrupt = 0, model_true = 0, model_test = 0;
    const std::vector<const std::vector<int32_t>*> test_sets = {&test.true_labels};
    // Each probe predicts the layer's rows (gathered to its rows_per_predict); every prediction array
    // g is compared with every label array l of `against`, into counts[g · |against| + l].
    const auto tally = [&](Scoring& sc, const std::vector<const std::vector<int32_t>*>& against, bool on_train) {
        return [&sc, &against, on_train](const std::vector<int32_t*>& pred, int64_t n, int64_t begin) {
            std::vector<int64_t>& counts = on_train ? sc.train_correct : sc.test_correct;
            const size_t A = against.size();
            for (size_t g = 0; g < pred.size(); ++g)
                for (size_t l = 0; l < A; ++l)
                    counts[g * A + l] += data::count_equal(
                        std::span<const int32_t>(pred[g], static_cast<size_t>(n)),
                        std::span(*against[l]).subspan(static_cast<size_t>(begin), static_cast<size_t>(n)));
        };
    };
    const auto score_layer = [&](const std::vector<const std::vector<int32_t>*>& against, bool on_train) {
        return [&, on_train](size_t i, const Tensor& r, int64_t begin) {
            const int64_t n = r.dim(0);
            zero_rows[i] += count_zero_rows(r.data(), n, r.dim(1));
            for (Scoring& sc : scoring[i]) sc.add(r.data(), n, dims[i], begin, S, tally(sc, against, on_train));
        };
    };
    const auto flush_all = [&](const std::vector<const std::vector<int32_t>*>& against, bool on_train) {
        for (size_t i = 0; i < L; ++i)
            for (Scoring& sc : scoring[i]) sc.flush(dims[i], S, tally(sc, against, on_train));
    };
    stream_layers("probe pass 2 (train)", model, train, config, train.size(), score_layer(sets, true),
           [&](const Tensor& logits, int64_t begin) {
               const std::vector<int32_t> pred = ops::argmax_rows(logits);
               model_corrupt += count_matches(pred, train.train_labels, begin);
               model_true += count_matches(pred, train.true_labels, begin);
           });
    flush_all(sets, true);
    stream_layers("probe pass 2 (test)", model, test, config, test.size(), score_layer(test_sets, false),
           [&](const Tensor& logits, int64_t begin) {
               model_test += count_matches(ops::argmax_rows(logits), test.true_labels, begin);
           });
    flush_all(test_sets, false);
    result.seconds_pass2 = since(t);

    result.model_train_corrupt = double(model_corrupt) / double(train.size());
    result.model_train_true = double(model_true) / double(train.size());
    result.model_test = double(model_test) / double(test.size());
    for (size_t i = 0; i < L; ++i)
        for (size_t p = 0; p < P; ++p) {
            const Scoring& sc = scoring[i][p];
            result.timings[p].seconds_predict += sc.seconds_predict;
            const std::vector<std::string> variants = sc.probe->variants();
            for (size_t v = 0; v < variants.size(); ++v)
                for (int32_t s = 0; s < S; ++s) {
                    LayerReport r;
                    r.layer = config.layers[i];
                    r.dim = dims[i];
                    r.probe = config.probes[p];
                    r.threshold = variants[v];
                    r.subspaces = result.label_sets[s];
                    r.k_per_class = sc.probe->k_per_class(v, s);
                    r.zero_rows = zero_rows[i];
                    r.rescored_rows = sc.probe->rows_rescored();
                    const size_t g = v * S + s;
                    for (int32_t l = 0; l < S; ++l)
                        r.train.push_back(double(sc.train_correct[g * S + l]) / double(train.size()));
                    r.test = double(sc.test_correct[g]) / double(test.size());
                    result.reports.push_back(std::move(r));
                }
        }
    model.train(was_training);
    return result;
}

RowPredictions predict_rows(nn::Module& model, const data::Dataset& train,
                            const std::vector<const data::Dataset*>& targets, const ProbeConfig& config) {
    PROBENET_CHECK(config.probes.size() == 1, "predict_rows: give exactly one probe, got ", config.probes.size());
    RowPredictions out;
    ProbeResult fit_record;
    const std::vector<const std::vector<int32_t>*> sets = label_sets_of(train, config, out.label_sets);
    const size_t S = sets.size(), L = config.layers.size();
    const bool was_training = model.training();
    const std::vector<int64_t> dims = check_probe_config(model, train, config);
    model.eval();
    std::vector<std::vector<std::unique_ptr<Probe>>> fitted = fit_layers(model, train, config, sets, dims, fit_record);
    out.notes = fit_record.notes;
    // Pass 2 per target: each layer's probe labels every row; variant 0 of every label set is kept.
    for (const data::Dataset* target : targets) {
        std::vector<std::vector<std::vector<int32_t>>> per_layer(
            L, std::vector<std::vector<int32_t>>(S, std::vector<int32_t>(static_cast<size_t>(target->size()))));
        std::vector<int32_t> block;
        std::vector<RowGather> gathered(L);  // rows gathered to each probe's rows_per_predict, as in pass 2
        const auto label = [&](size_t i) {
            return [&, i](const float* rows, int64_t n, int64_t first) {
                const size_t groups = fitted[i][0]->variants().size() * S;
                block.resize(groups * static_cast<size_t>(n));
                std::vector<int32_t*> outs;
                for (size_t g = 0; g < groups; ++g) outs.push_back(block.data() + g * n);
                fitted[i][0]->predict(rows, n, outs);
                for (size_t s = 0; s < S; ++s) std::copy(outs[s], outs[s] + n, per_layer[i][s].begin() + first);
            };
        };
        stream_layers(
            "probe labelling", model, *target, config, target->size(),
            [&](size_t i, const Tensor& r, int64_t begin) {
                gathered[i].add(r.data(), r.dim(0), dims[i], begin, fitted[i][0]->rows_per_predict(), label(i));
            },
            {});
        for (size_t i = 0; i < L; ++i) gathered[i].flush(dims[i], label(i));
        out.predictions.push_back(std::move(per_layer));
    }
    model.train(was_training);
    return out;
}

}  // namespace probenet::probe
