#include "experiments/common/retrain.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "experiments/common/atomic_file.h"
#include "experiments/common/early_stopping.h"
#include "experiments/common/evaluate.h"
#include "experiments/common/protocol_optimizer.h"
#include "experiments/common/relabel_stats.h"
#include "experiments/common/svg_figure.h"
#include "experiments/common/test_split.h"
#include "experiments/common/train_state.h"
#include "experiments/common/trainer.h"
#include "nn/checkpoint.h"
#include "tensor/error.h"

namespace probenet::experiments {

namespace {

using json = nlohmann::ordered_json;

struct RetrainEpoch {
    int epoch = 0;
    double train_acc = 0, loss = 0, test80 = 0, test20 = 0, seconds = 0;
};

std::string format_csv(const std::vector<RetrainEpoch>& rows) {
    std::string out = "epoch,train_acc_relabeled,loss,test80_acc,test20_acc,seconds\n";
    char line[160];
    for (const RetrainEpoch& r : rows) {
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.6f,%.3f\n", r.epoch, r.train_acc, r.loss, r.test80,
                      r.test20, r.seconds);
        out += line;
    }
    return out;
}

std::vector<RetrainEpoch> read_csv(const std::string& path) {
    std::ifstream in(path);
    PROBENET_CHECK(in.good(), "--resume: cannot read ", path, "; retrain without --resume");
    std::vector<RetrainEpoch> rows;
    std::string line;
    std::getline(in, line);  // header
    for (int number = 2; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        RetrainEpoch r;
        PROBENET_CHECK(std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf", &r.epoch, &r.train_acc, &r.loss, &r.test80,
                                   &r.test20, &r.seconds) == 6,
                       path, " line ", number, " is not epoch,train_acc_relabeled,loss,test80_acc,test20_acc,seconds");
        rows.push_back(r);
    }
    return rows;
}

double percent(double fraction) { return 100.0 * fraction; }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

// The outcome for one label set.
struct SetOutcome {
    std::string set;
    std::string best_layer;
    std::vector<double> layer_test20;  // per layer
    RelabelStats stats;
    double memorized_test80 = 0, memorized_test20 = 0;
    double retrained_test80 = 0, retrained_test20 = 0;
    int best_epoch = 0, epochs_run = 0;
    bool stopped_early = false;
    std::vector<RetrainEpoch> rows;
};

}  // namespace

int run_retraining(const Protocol& protocol, const Options& o, nn::Module& model, const data::TrainTest& data,
                   const probe::ProbeConfig& probe) {
    const std::filesystem::path out(o.out_dir);
    std::filesystem::create_directories(out);

    // 1. The 80/20 split of the clean test set.
    const TestSplit split = split_test_indices(data.test.size());
    const data::Dataset test80 = subset(data.test, split.evaluation, "[eval80]");
    const data::Dataset test20 = subset(data.test, split.selection, "[select20]");
    std::printf("retrain: test set split %zu (evaluation, 80 %%) / %zu (selection, 20 %%): numpy permutation of "
                "seed %u, first 20 %% = selection\n",
                split.evaluation.size(), split.selection.size(), kTestSplitSeed);

    // 2. MASC on every probed layer, corrupted- and true-label subspaces; predictions for the
    //    selection part and the training set.
    probe::ProbeConfig masc = probe;
    masc.probes = {"masc"};
    masc.extra_label_sets.clear();
    if (masc.options.thresholds.size() > 1) masc.options.thresholds.resize(1);
    std::printf("retrain: fitting MASC (threshold %s) on %zu layers under corrupted and true labels\n",
                probe::to_string(masc.options.thresholds[0]).c_str(), masc.layers.size());
    std::fflush(stdout);
    const probe::RowPredictions rows = probe::predict_rows(model, data.train, {&test20, &data.train}, masc);
    for (const std::string& note : rows.notes) std::printf("note: %s\n", note.c_str());

    const std::vector<int32_t> memorized_pred80 = predict(model, test80, probe.device);
    const std::vector<int32_t> memorized_pred20 = predict(model, test20, probe.device);
    const std::string memorized_path = (out / "retrain_memorized.safetensors").string();
    nn::save_checkpoint(model, memorized_path, {{"experiment", protocol.name}, {"role", "memorized model"}});

    std::vector<SetOutcome> outcomes;
    for (size_t s = 0; s < 2; ++s) {
        SetOutcome r;
        r.set = rows.label_sets[s];
        // Best layer on the selection part; the first wins ties.
        size_t best = 0;
        for (size_t l = 0; l < masc.layers.size(); ++l) {
            r.layer_test20.push_back(accuracy(rows.predictions[0][l][s], test20.true_labels));
            if (r.layer_test20[l] > r.layer_test20[best]) best = l;
        }
        r.best_layer = masc.layers[best];
        // 3. Relabel.
        const std::vector<int32_t>& relabel = rows.predictions[1][best][s];
        r.stats = relabel_stats(data.train.true_labels, data.train.train_labels, relabel);
        data::Dataset relabeled = data.train;  // pixels shared
        relabeled.train_labels = relabel;
        std::printf("retrain (%s labels): best layer %s, MASC %.4f on the 20 %% part; relabels %.1f %% of training "
                    "labels correctly (corrupted: %.1f %%)\n",
                    r.set.c_str(), r.best_layer.c_str(), r.layer_test20[best],
                    percent(r.stats.relabeled_correct_share()), percent(r.stats.corrupted_correct_share()));

        // 4. Fine-tune from the memorized weights.
        nn::load_checkpoint(model, memorized_path);
        std::unique_ptr<optim::Optimizer> optimizer = make_protocol_optimizer(protocol, o.lr, model);
        const std::string csv = (out / ("retrain_" + r.set + ".csv")).string();
        const std::string best_path = (out / ("retrain_" + r.set + ".safetensors")).string();
        const std::string state_path = (out / ("retrain_" + r.set + "_state.safetensors")).string();
        char lr[32];
        std::snprintf(lr, sizeof lr, "%.6g", o.lr);
        const RunIdentity identity{{"experiment", protocol.name}, {"retrain_labels", r.set},
                                   {"batch", std::to_string(o.batch)}, {"lr", lr},
                                   {"best_layer", r.best_layer}, {"train_size", std::to_string(data.train.size())},
                                   {"patience", std::to_string(o.patience)}};
        EarlyStopping stopping(o.patience);
        r.memorized_test80 = accuracy(memorized_pred80, test80.true_labels);
        r.memorized_test20 = accuracy(memorized_pred20, test20.true_labels);
        int done = 0;
        if (o.resume && std::filesystem::exists(state_path)) {
            done = load_train_state(state_path, model, *optimizer, identity);
            for (const RetrainEpoch& e : read_csv(csv))
                if (e.epoch <= done) {
                    r.rows.push_back(e);
                    if (e.epoch > 0) stopping.record(e.epoch, e.test20);
                }
            PROBENET_CHECK(static_cast<int>(r.rows.size()) == done + 1, "--resume: ", csv, " has ", r.rows.size(),
                           " rows up to epoch ", done, " but ", state_path, " has ", done, " epochs");
            std::printf("retrain (%s labels): resumed after epoch %d\n", r.set.c_str(), done);
        } else {
            RetrainEpoch e0;  // the memorized model, before any fine-tuning
            e0.train_acc = accuracy(predict(model, relabeled, probe.device), relabel);
            e0.test80 = r.memorized_test80;
            e0.test20 = r.memorized_test20;
            r.rows.push_back(e0);
            write_file_atomically(csv, format_csv(r.rows));
        }
        for (int epoch = done + 1; epoch <= o.retrain_epochs && !stopping.should_stop(); ++epoch) {
            const TrainConfig config{epoch, epoch, /*target_acc=*/2.0, o.batch, probe.device};  // one epoch
            const TrainResult t = train(model, *optimizer, relabeled, test80, config, [](const EpochStats&) {});
            const EpochStats& st = t.epochs.back();
            RetrainEpoch e{epoch, st.running_acc_corrupt, st.loss, st.test_acc,
                           accuracy(predict(model, test20, probe.device), test20.true_labels), st.seconds};
            r.rows.push_back(e);
            if (stopping.record(epoch, e.test20))
                nn::save_checkpoint(model, best_path, {{"experiment", protocol.name}, {"retrain_labels", r.set},
                                                       {"epochs", std::to_string(epoch)}});
            write_file_atomically(csv, format_csv(r.rows));
            save_train_state(state_path, model, *optimizer, epoch, identity);
            std::printf("  %s epoch %3d: loss %.4f, train (new labels) %.4f, test-80 %.4f, test-20 %.4f%s, %.1f s\n",
                        r.set.c_str(), epoch, e.loss, e.train_acc, e.test80, e.test20,
                        stopping.best_epoch() == epoch ? " (best)" : "", e.seconds);
            std::fflush(stdout);
        }
        r.epochs_run = static_cast<int>(r.rows.size()) - 1;
        r.stopped_early = stopping.should_stop();
        r.best_epoch = stopping.best_epoch();
        if (r.best_epoch > 0) {
            nn::load_checkpoint(model, best_path);
            r.retrained_test80 = r.rows[static_cast<size_t>(r.best_epoch)].test80;
            r.retrained_test20 = r.rows[static_cast<size_t>(r.best_epoch)].test20;
        } else {  // --retrain-epochs 0: nothing fine-tuned
            r.retrained_test80 = r.memorized_test80;
            r.retrained_test20 = r.memorized_test20;
        }
        outcomes.push_back(std::move(r));
    }
    nn::load_checkpoint(model, memorized_path);  // the caller's model is left memorized

    // 5. Reports.
    json j = json::object();
    j["split"] = {{"rule", "numpy RandomState(2345).permutation(N); first round(0.2 N) = selection (20 %), rest = "
                           "evaluation (80 %)"},
                  {"evaluation", split.evaluation.size()},
                  {"selection", split.selection.size()}};
    j["masc_threshold"] = probe::to_string(masc.options.thresholds[0]);
    j["max_epochs"] = o.retrain_epochs;
    j["patience"] = o.patience;
    j["corrupt"] = o.corrupt;
    for (const SetOutcome& r : outcomes) {
        json layers = json::object();
        for (size_t l = 0; l < masc.layers.size(); ++l) layers[masc.layers[l]] = r.layer_test20[l];
        json s = {{"best_layer", r.best_layer},
                  {"masc_test20_per_layer", layers},
                  {"memorized_test80", r.memorized_test80},
                  {"retrained_test80", r.retrained_test80},
                  {"memorized_test20", r.memorized_test20},
                  {"retrained_test20", r.retrained_test20},
                  {"best_epoch", r.best_epoch},
                  {"epochs_run", r.epochs_run},
                  {"stopped_early", r.stopped_early},
                  {"correct_share_corrupted", number_or_null(r.stats.corrupted_correct_share())},
                  {"correct_share_relabeled", number_or_null(r.stats.relabeled_correct_share())}};
        if (o.corrupt > 0) {
            s["fixed_share"] = number_or_null(r.stats.fixed_share());
            s["broken_share"] = number_or_null(r.stats.broken_share());
        }
        s["counts"] = {{"n", r.stats.n}, {"wrong", r.stats.wrong}, {"fixed", r.stats.fixed},
                       {"correct", r.stats.correct}, {"broken", r.stats.broken}};
        j[r.set] = s;
    }
    const std::string summary_path = (out / "summary.json").string();
    json summary = json::object();
    if (std::filesystem::exists(summary_path)) {
        std::ifstream in(summary_path);
        try {
            summary = json::parse(in);
        } catch (const json::exception&) {
            std::printf("note: %s is not valid JSON; it is replaced by the retraining summary\n",
                        summary_path.c_str());
            summary = json::object();
        }
    }
    summary["retrain"] = j;
    write_file_atomically(summary_path, summary.dump(2) + "\n");

    LineFigure fig;
    fig.title = protocol.name + ", p = " + std::to_string(o.corrupt).substr(0, 4) + ": fine-tuning on MASC labels";
    fig.y_label = "accuracy";
    size_t longest = 0;
    for (const SetOutcome& r : outcomes) longest = std::max(longest, r.rows.size());
    for (size_t e = 0; e < longest; ++e) fig.x_labels.push_back(std::to_string(e));
    const char* colors[2] = {"#d62728", "#1f77b4"};
    for (size_t i = 0; i < outcomes.size(); ++i) {
        Series test, train_new;
        test.name = "test-80, relabeled from " + outcomes[i].set + "-label subspaces (" + outcomes[i].best_layer + ")";
        train_new.name = "train accuracy on those labels";
        test.color = train_new.color = colors[i % 2];
        train_new.dashed = true;
        for (const RetrainEpoch& e : outcomes[i].rows) {
            test.values.push_back(e.test80);
            train_new.values.push_back(e.train_acc);
        }
        fig.series.push_back(test);
        fig.series.push_back(train_new);
    }
    write_file_atomically((out / "retrain.svg").string(), render_svg(fig));

    for (const SetOutcome& r : outcomes) {
        char line[256];
        if (o.corrupt > 0)
            std::snprintf(line, sizeof line, "retrain (%s-label subspaces, layer %s): test-80: %.1f %% → %.1f %%, fixed "
                          "%.0f %% of wrong labels, broke %.1f %%\n",
                          r.set.c_str(), r.best_layer.c_str(), percent(r.memorized_test80), percent(r.retrained_test80),
                          percent(r.stats.fixed_share()), percent(r.stats.broken_share()));
        else
            std::snprintf(line, sizeof line, "retrain (%s-label subspaces, layer %s): test-80: %.1f %% → %.1f %%, "
                          "relabels changed %.1f %% of the (correct) labels\n",
                          r.set.c_str(), r.best_layer.c_str(), percent(r.memorized_test80), percent(r.retrained_test80),
                          percent(r.stats.broken_share()));
        std::printf("%s", line);
    }
    std::printf("results in %s (retrain_corrupted.csv, retrain_true.csv, retrain.svg, summary.json, "
                "retrain_<set>.safetensors)\n", o.out_dir.c_str());
    return 0;
}

}  // namespace probenet::experiments
