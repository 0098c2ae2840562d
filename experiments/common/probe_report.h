// The probe's outputs for a person and for tools: the printed tables (one block per probe and
// threshold), layers.csv, summary.json and the figure (layer_accuracy.svg, like the paper's Figure 2).
// Files are written atomically (experiments/common/atomic_file.h).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "experiments/common/protocol.h"
#include "probe/probe_run.h"

namespace probenet::experiments {

struct ProbeContext {
    std::string experiment;
    double corrupt = 0;
    uint32_t seed = 0;
    int run = 1;
    int epochs_trained = 0;
    std::string thresholds;  // MASC's, as given: "0.99" or "0.25,0.99"
    std::string source;      // "trained", "checkpoint <file>", or "seed S, no training" /
                             // "initial weights from <file>, no training"
    int64_t train_size = 0, test_size = 0;
    double probe_corrupt = -1;  // --probe-corrupt, when given (< 0: not)
    // The last epoch's running train accuracy on the corrupted labels (the stop rule's figure), when
    // this invocation trained; < 0 when unknown. It is not the final model's train accuracy: each
    // batch is scored just before its own update, and with the file order fixed a memorizing network
    // can fit every batch as it comes yet forget those it saw long ago (MLP–MNIST, p = 0.8: 0.999
    // running, 0.734 for the model after that epoch).
    double running_train_acc = -1;
    std::map<std::string, std::string> labels;  // layer name → display label, e.g. "fc1" → "FC(128)"

    const std::string& label(const std::string& layer) const;  // the name itself when unlabelled
};

// The tables printed after a probe run, with the best layers and their gain over the model.
std::string probe_table(const ProbeContext& context, const probe::ProbeResult& result);

// Writes layers.csv, summary.json and layer_accuracy.svg into `dir`.
void write_probe_files(const std::string& dir, const ProbeContext& context, const probe::ProbeResult& result);

}  // namespace probenet::experiments
