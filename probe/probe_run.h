// probe_model: the paper's Algorithms 1–3 and its baseline probes on a trained (or untrained) model,
// layer by layer, streamed through forward hooks so that no layer's activations of the whole dataset
// are held unless a probe asks for them.
//
//   check   before any pass: the probe names resolve (probe/probe_registry.h), the layers exist, and
//           — when a probe keeps the training rows (k-NN, linear) — those rows fit in
//           `row_memory_limit` (one forward of a single sample finds each layer's width).
//   pass 1  the training set goes through the model in no-grad eval mode, batch by batch, in file
//           order; each probed layer's hook flattens its output to rows (n, d) and adds them to the
//           layer's ClassGram under every label set at once (by default corrupted = the labels the
//           model was trained on, and true = the original labels; more with `extra_label_sets`, e.g.
//           --probe-corrupt) and, if a probe needs them, to one float32 copy of the rows. The layer
//           "input" is the network input itself.
//   fit     per layer, every probe fits from the shared statistics (probe/probe.h); the Grams and
//           rows are freed as soon as their layer is fitted.
//   pass 2  train and test sets go through the model again; each hook has every probe predict its
//           rows and tallies agreement with every label set (train) and the test labels. The model's
//           own predictions are counted in the same pass.
// Memory: one ClassGram per probed layer (S·K·d² doubles; ~1.3 GB for the MLP's two 2048-wide
// layers at S = 2), independent of the number of samples, plus n·d floats per layer for row probes.
// Activations on a GPU are copied to the host per batch.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "nn/module.h"
#include "probe/layer_report.h"
#include "probe/probe.h"

namespace probenet::probe {

// A labelling of the training rows to fit probes on, besides the dataset's own two.
struct LabelSet {
    std::string name;             // e.g. "p0.8"; names the CSV column train_<name>
    std::vector<int32_t> labels;  // one per training row
};

struct ProbeConfig {
    std::vector<std::string> layers;             // module names, or "input"
    std::vector<std::string> probes = {"masc"};  // registered probe names
    ProbeOptions options;                        // thresholds, --qda-reg, …
    std::vector<LabelSet> extra_label_sets;      // after "corrupted" (train_labels) and "true"
    int64_t batch = 1000;
    Device device = Device::CPU;
    // Bytes the row-keeping probes may hold in all (0: 80 % of the memory available when the run starts).
    int64_t row_memory_limit = 0;
    // Hears (pass name, rows done, rows in the pass) after each batch of each pass; empty: silent.
    std::function<void(const std::string& pass, int64_t done, int64_t total)> progress;
};

struct ProbeTiming {
    std::string probe;
    double seconds_fit = 0, seconds_predict = 0;  // summed over layers; predict = pass 2's share
    int64_t bytes_held = 0;                       // largest over layers, after fit
};

struct ProbeResult {
    std::vector<std::string> label_sets;  // "corrupted", "true", then the extra ones
    // Per layer (in order), per probe (in order), per threshold, per label set fit on.
    std::vector<LayerReport> reports;
    std::vector<std::string> notes;  // "layer fc3, qda: …" — what a reader must know about a row
    std::vector<ProbeTiming> timings;
    double model_train_corrupt = 0, model_train_true = 0, model_test = 0;  // the model's own accuracies
    double seconds_pass1 = 0, seconds_fit = 0, seconds_pass2 = 0;
};

// Throws probenet::Error before any pass over the data for unknown probes or layers, or rows that
// would not fit in the memory limit.
ProbeResult probe_model(nn::Module& model, const data::Dataset& train, const data::Dataset& test,
                        const ProbeConfig& config);

// The checks probe_model makes before any pass: probes and layers exist, row probes fit in the memory
// limit. Returns each layer's width (one forward of a single training sample). Throws probenet::Error.
std::vector<int64_t> check_probe_config(nn::Module& model, const data::Dataset& train, const ProbeConfig& config);

// Per-row predictions of one probe (config.probes must name exactly one), for callers that act on
// them (relabelling, experiments/common/retrain.h): the probe is fit on every layer of config under
// every label set (pass 1, as probe_model), then labels every row of each target dataset (pass 2).
// predictions[target][layer][set][row]; sets in label_sets order (corrupted, true, extras); with a
// --variance sweep only the first threshold's classifier is used.
struct RowPredictions {
    std::vector<std::string> label_sets;
    std::vector<std::vector<std::vector<std::vector<int32_t>>>> predictions;
    std::vector<std::string> notes;
};
RowPredictions predict_rows(nn::Module& model, const data::Dataset& train,
                            const std::vector<const data::Dataset*>& targets, const ProbeConfig& config);

// Bytes of available memory (MemAvailable in /proc/meminfo; 0 if unknown).
int64_t available_memory_bytes();

}  // namespace probenet::probe
