#include "experiments/common/experiment.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tuple>
#include <sstream>

#include "data/dataset_registry.h"
#include "data/label_corruption.h"
#include "experiments/common/atomic_file.h"
#include "experiments/common/evaluate.h"
#include "experiments/common/layer_label.h"
#include "experiments/common/metrics_csv.h"
#include "experiments/common/options.h"
#include "experiments/common/probe_dynamics.h"
#include "experiments/common/progress.h"
#include "experiments/common/probe_report.h"
#include "experiments/common/protocol_optimizer.h"
#include "experiments/common/run_folder.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "experiments/common/retrain.h"
#include "experiments/common/train_state.h"
#include "experiments/common/trainer.h"
#include "nn/checkpoint.h"
#include "nn/summary.h"
#include "probe/masc.h"
#include "probe/probe_run.h"
#include "tensor/error.h"
#include "tensor/runtime.h"

namespace probenet::experiments {

namespace {

// A checkpoint written by a training run sits beside that run's metrics.csv. Its epoch (from the
// checkpoint's metadata) and that epoch's running train accuracy, when both are there; {0, -1} otherwise.
std::pair<int, double> training_record_of(const std::string& checkpoint,
                                          const std::map<std::string, std::string>& meta) {
    const std::filesystem::path metrics = std::filesystem::path(checkpoint).parent_path() / "metrics.csv";
    const auto epochs = meta.find("epochs");
    if (epochs == meta.end() || !std::filesystem::exists(metrics)) return {0, -1.0};
    int epoch = 0;
    try {
        epoch = std::stoi(epochs->second);
    } catch (const std::exception&) {
        return {0, -1.0};  // not written by a probenet training run
    }
    try {
        for (const EpochStats& e : read_metrics_csv(metrics.string()))
            if (e.epoch == epoch) return {epoch, e.running_acc_corrupt};
    } catch (const Error& e) {
        std::printf("note: %s is unreadable (%s); the running train accuracy is not reported\n",
                    metrics.string().c_str(), e.what());
    }
    return {epoch, -1.0};
}

std::vector<std::string> split_layers(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    PROBENET_CHECK(!out.empty(), "--layers '", list, "' names no layer");
    return out;
}

RunIdentity run_identity(const Protocol& protocol, const Options& o, int64_t train_size) {
    char corrupt[32], lr[32];
    std::snprintf(corrupt, sizeof corrupt, "%.6g", o.corrupt);
    std::snprintf(lr, sizeof lr, "%.6g", o.lr);
    RunIdentity identity{{"experiment", protocol.name}, {"corrupt", corrupt},       {"seed", std::to_string(o.seed)},
                         {"batch", std::to_string(o.batch)}, {"lr", lr}, {"train_size", std::to_string(train_size)}};
    if (!o.init.empty()) identity["init"] = o.init;  // absent for seeded runs, so older states still resume
    return identity;
}

void print_epoch(const EpochStats& e) {
    std::printf("%5d %9.5f %11.4f %11.4f %9.4f %8.2f\n", e.epoch, e.loss, e.running_acc_corrupt, e.running_acc_true,
                e.test_acc, e.seconds);
    std::fflush(stdout);
}

// What the model's weights came from, and what is known of its training.
struct ModelRecord {
    std::string source;              // "seed 1, no training", "checkpoint <file>" or "trained"
    int epochs_trained = 0;          // for a checkpoint: the epochs it had (its metadata), if known
    double running_train_acc = -1;   // the last epoch's, where known
    bool trained = false;            // this invocation trained (and wrote metrics.csv, model.safetensors…)
};

// Threads, denormals and the device, printed with the experiment's expected numbers.
Device start_runtime(const Protocol& protocol, const Options& o) {
    set_threads(o.threads);
    const bool flushed = o.denormals == "flush" && set_flush_denormals(true);  // IEEE is the default
    const Device device = o.device_kind();
    std::printf("%s — %s\n%s\n", protocol.name.c_str(), protocol.expected.c_str(), runtime_summary(device).c_str());
    std::printf("floating point: %s\n", flushed ? "subnormals flushed to zero on the CPU (FTZ/DAZ; --denormals keep for IEEE)"
                                                 : "IEEE subnormals kept on the CPU");
    cpu::set_conv3x3_winograd(o.conv3x3 == "winograd");
    if (device == Device::CPU)
        std::printf("3x3 convolutions: %s\n", o.conv3x3 == "winograd"
                                                          ? "Winograd F(2x2, 3x3) where both sides have channels in 16s "
                                                            "(--conv3x3 direct for plain sums)"
                                                          : "direct sums");
    std::printf("device: %s\n", device_name(device));
    return device;
}

// The dataset (a --train-size prefix of it), with the authors' corruption of the training labels
// (numpy seed 42).
data::TrainTest load_data(const Protocol& protocol, const Options& o) {
    const data::DatasetInfo& dataset = data::dataset_info(protocol.dataset);
    data::TrainTest data = data::open(protocol.dataset, o.data_dir);
    if (o.train_size > 0) {
        PROBENET_CHECK(o.train_size <= data.train.size(), "--train-size ", o.train_size, " exceeds the ",
                       data.train.size(), " training samples in ", o.data_dir);
        data.train = data.train.prefix(o.train_size);
    }
    data.train.train_labels =
        data::corrupt_labels(data.train.true_labels, o.corrupt, data.train.num_classes, 42, dataset.mask_rule);
    std::printf("data: %s %s, %lld train / %lld test of %s, %d classes, pixels %s; p = %.2f leaves %.2f%% of "
                "training labels correct\n",
                protocol.dataset.c_str(), o.data_dir.c_str(), static_cast<long long>(data.train.size()),
                static_cast<long long>(data.test.size()), shape_str(data.train.sample_shape).c_str(),
                data.train.num_classes, data::scaling_name(data.train.scaling), o.corrupt,
                100.0 * accuracy(data.train.train_labels, data.train.true_labels));
    return data;
}

// The protocol's model on `device`, with its weights from the seed, --init, or --checkpoint (read
// here, before anything is written, so that a file that is unreadable or does not fit the
// architecture stops the run at once).
std::unique_ptr<nn::Module> build_model(const Protocol& protocol, const Options& o, const data::Dataset& train,
                                        Device device, ModelRecord& record) {
    Rng rng(o.seed);
    std::unique_ptr<nn::Module> model = protocol.make_model(rng);
    model->to(device);
    const std::string init = o.init.empty() ? "seed " + std::to_string(o.seed) : "initial weights from " + o.init;
    if (!o.init.empty()) nn::load_checkpoint(*model, o.init);
    record.source = init + ", no training";
    std::printf("model (%s):\n%s", init.c_str(), nn::summary(*model, train.sample_shape).c_str());
    if (!o.checkpoint.empty()) {
        record.source = "checkpoint " + o.checkpoint;
        std::tie(record.epochs_trained, record.running_train_acc) =
            training_record_of(o.checkpoint, nn::load_checkpoint(*model, o.checkpoint));
        std::printf("loaded %s; no training\n", o.checkpoint.c_str());
    }
    return model;
}

// The probe's settings, checked before any training: the layers exist, --variance's component
// counts fit their widths, row probes fit in memory.
probe::ProbeConfig probe_config(const Protocol& protocol, const Options& o, nn::Module& model,
                                const data::Dataset& train, Device device) {
    probe::ProbeConfig pc;
    pc.layers = o.layers.empty() ? protocol.probe_layers : split_layers(o.layers);
    for (const std::string& l : pc.layers)
        if (l != "input") model.find_or_throw(l);  // fail before the long passes, naming the layers
    pc.probes = o.probe_names();
    pc.options.thresholds = o.thresholds();
    pc.options.qda_reg = o.qda_reg;
    pc.options.masc_precision =
        o.masc_precision == "float64" ? probe::MascPrecision::Float64 : probe::MascPrecision::Float32Certified;
    pc.options.seed = o.seed;
    pc.row_memory_limit = static_cast<int64_t>(o.probe_memory_gb * 1e9);
    pc.device = device;
    struct PassProgress {  // the bar of the pass being streamed, shared by every copy of pc
        std::string pass;
        std::unique_ptr<ProgressBar> bar;
    };
    pc.progress = [state = std::make_shared<PassProgress>()](const std::string& pass, int64_t done, int64_t total) {
        if (!state->bar || state->pass != pass) {
            state->pass = pass;
            state->bar = std::make_unique<ProgressBar>(pass, total, "rows");
        }
        state->bar->update(done);
        if (done >= total) {
            state->bar->clear();
            state->bar.reset();
        }
    };
    if (o.probe_corrupt >= 0) {
        // Latent memorization (supplement §6): the same numpy seed-42 rule at another degree.
        char name[32];
        std::snprintf(name, sizeof name, "p%g", o.probe_corrupt);
        pc.extra_label_sets.push_back(
            {name, data::corrupt_labels(train.true_labels, o.probe_corrupt, train.num_classes, 42,
                                        data::dataset_info(protocol.dataset).mask_rule)});
    }
    if (!o.no_probe) probe::check_probe_config(model, train, pc);  // memory for knn/linear rows, before training
    return pc;
}

// Checks made before the output folder is created: a --resume has its state to continue from (a
// --retrain from a --checkpoint resumes from its own retrain_*.csv, which run_retraining checks).
void check_resumable(const Options& o) {
    const std::string state_path = o.out_dir + "/train_state.safetensors";
    const bool resumes_training = o.resume && !(o.retrain && !o.checkpoint.empty());
    PROBENET_CHECK(!resumes_training || std::filesystem::exists(state_path), "--resume: no ", state_path,
                   "; start the run without --resume (or point --out at the run's folder)");
}

// Trains (or resumes training) unless the weights came from --checkpoint or training is off
// (--max-epochs 0); every epoch writes metrics.csv, model.safetensors and train_state.safetensors.
void train_model(const Protocol& protocol, const Options& o, nn::Module& model, const data::TrainTest& data,
                 const probe::ProbeConfig& pc, Device device, ModelRecord& record) {
    if (!o.checkpoint.empty() || (o.max_epochs == 0 && !o.resume)) return;
    auto optimizer = make_protocol_optimizer(protocol, o.lr, model);
    const RunIdentity identity = run_identity(protocol, o, data.train.size());
    const std::string state_path = o.out_dir + "/train_state.safetensors";
    const std::string metrics_path = o.out_dir + "/metrics.csv";
    std::vector<EpochStats> history;
    if (o.resume) {
        const int done = load_train_state(state_path, model, *optimizer, identity);
        for (const EpochStats& e : read_metrics_csv(metrics_path))
            if (e.epoch <= done) history.push_back(e);
        PROBENET_CHECK(static_cast<int>(history.size()) == done, "--resume: ", metrics_path, " has ",
                       history.size(), " epochs up to ", done, " but ", state_path, " has ", done);
        std::printf("resumed %s after epoch %d\n", state_path.c_str(), done);
    }
    if (o.batch > data.train.size())
        std::fprintf(stderr, "note: --batch %d is more than the %lld training samples: every epoch is one batch "
                             "of %lld\n", o.batch, static_cast<long long>(data.train.size()),
                     static_cast<long long>(data.train.size()));
    const auto reached = [&] { return !history.empty() && meets_stop_rule(history.back(), o.target_acc); };
    std::printf("training: %s lr %g, batch %d, file order, stop at running train accuracy %.4f or %d epochs\n",
                protocol.optimizer == OptimizerKind::SGD ? "SGD" : "Adam", o.lr, o.batch, o.target_acc,
                o.max_epochs);
    std::printf("%5s %9s %11s %11s %9s %8s\n", "epoch", "loss", "train(corr)", "train(true)", "test", "seconds");
    for (const EpochStats& e : history) print_epoch(e);
    const TrainConfig config{static_cast<int>(history.size()) + 1, o.max_epochs, o.target_acc, o.batch, device};
    ProbeDynamics dynamics(o.out_dir, protocol.name);
    if (!reached()) train(model, *optimizer, data.train, data.test, config, [&](const EpochStats& e) {
        print_epoch(e);
        history.push_back(e);
        if (o.probe_every > 0 && e.epoch % o.probe_every == 0) {  // probing during training
            const auto start = std::chrono::steady_clock::now();
            const probe::ProbeResult r = probe::probe_model(model, data.train, data.test, pc);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            ProbeContext c;
            for (const probe::LayerReport& l : r.reports) c.labels[l.layer] = layer_label(model, l.layer, l.dim);
            dynamics.record(e, seconds, c, r);
            std::printf("      probed after epoch %d in %.1f s (the epoch took %.1f s): dynamics.csv\n", e.epoch,
                        seconds, e.seconds);
        }
        write_file_atomically(metrics_path, format_metrics_csv(history));
        // Every epoch, so an interrupted run can be probed (--checkpoint) or resumed (--resume).
        nn::save_checkpoint(model, o.out_dir + "/model.safetensors",
                            {{"experiment", protocol.name}, {"corrupt", std::to_string(o.corrupt)},
                             {"seed", std::to_string(o.seed)}, {"epochs", std::to_string(e.epoch)}});
        save_train_state(state_path, model, *optimizer, e.epoch, identity);
    });
    std::printf(reached() ? "stop rule reached after %zu epochs\n"
                          : "stopped at the epoch limit (%zu) without reaching the target\n",
                history.size());
    record.epochs_trained = static_cast<int>(history.size());
    if (!history.empty()) record.running_train_acc = history.back().running_acc_corrupt;
    record.source = "trained";
    record.trained = true;
}

// Every probe on every probed layer, fit on each label set (probe/probe_run.h).
probe::ProbeResult probe_layers(const Options& o, nn::Module& model, const data::TrainTest& data,
                                const probe::ProbeConfig& pc) {
    std::string probes;
    for (const std::string& p : pc.probes) probes += (probes.empty() ? "" : ",") + p;
    std::printf("probing %zu layers with %s (MASC threshold %s), fit on corrupted and true labels%s: pass 1 "
                "streams per-class statistics, pass 2 predicts train and test\n",
                pc.layers.size(), probes.c_str(), o.threshold_list.c_str(),
                pc.extra_label_sets.empty() ? "" : (" and " + pc.extra_label_sets[0].name).c_str());
    if (std::find(pc.probes.begin(), pc.probes.end(), "masc") != pc.probes.end())
        std::printf("%s\n", probe::Masc::screening_description().c_str());
    std::fflush(stdout);
    return probe::probe_model(model, data.train, data.test, pc);
}

// The tables on stdout, and layers.csv, summary.json and the figure in the output folder.
void report(const Protocol& protocol, const Options& o, nn::Module& model, const data::TrainTest& data,
            const ModelRecord& record, const probe::ProbeResult& result) {
    ProbeContext context{protocol.name, o.corrupt,         o.seed,           o.run,           record.epochs_trained,
                         o.threshold_list, record.source,    data.train.size(), data.test.size(), o.probe_corrupt,
                         record.running_train_acc, {}};
    for (const probe::LayerReport& r : result.reports) context.labels[r.layer] = layer_label(model, r.layer, r.dim);
    std::printf("%s", probe_table(context, result).c_str());
    write_probe_files(o.out_dir, context, result);
    std::printf("results in %s (%slayers.csv, summary.json, layer_accuracy.svg)\n", o.out_dir.c_str(),
                record.trained ? "metrics.csv, model.safetensors, train_state.safetensors, " : "");
}

// --no-probe: the model's own test accuracy instead of the probe's report.
void report_model_only(const Options& o, nn::Module& model, const data::TrainTest& data, Device device) {
    const double test_acc = accuracy(predict(model, data.test, device), data.test.true_labels);
    std::printf("model test accuracy %.4f\nresults in %s\n", test_acc, o.out_dir.c_str());
}

// The pipeline. Everything up to RunFolder only reads and checks (flags, data, checkpoint, probe
// settings, the output folder's writability), so a refused run writes nothing; from there on the
// run holds the folder's lock.
int run(const Protocol& protocol, int argc, char** argv) {
    const Options o = parse_options(protocol, argc, argv);
    const Device device = start_runtime(protocol, o);
    const data::TrainTest data = load_data(protocol, o);
    ModelRecord record;
    const std::unique_ptr<nn::Module> model = build_model(protocol, o, data.train, device, record);
    const probe::ProbeConfig pc = probe_config(protocol, o, *model, data.train, device);
    check_resumable(o);
    const RunFolder folder(o.out_dir);  // writable, created, and locked for this process

    train_model(protocol, o, *model, data, pc, device, record);
    if (o.retrain) return run_retraining(protocol, o, *model, data, pc);  // --retrain: experiments/common/retrain.h
    if (o.no_probe) {
        report_model_only(o, *model, data, device);
        return 0;
    }
    const probe::ProbeResult result = probe_layers(o, *model, data, pc);
    report(protocol, o, *model, data, record, result);
    return 0;
}

}  // namespace

int run_experiment(const Protocol& protocol, int argc, char** argv) {
    choose_blas_kernels(argv);
    // Line-buffered even into a file or pipe, so a log shows the start-up lines and every epoch at once
    // (a run takes up to hours) and nothing printed is lost if the run is killed.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    try {
        return run(protocol, argc, argv);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s: error: %s\n", protocol.name.c_str(), e.what());
        return 1;
    }
}

}  // namespace probenet::experiments
