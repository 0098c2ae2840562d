// The probe's outputs for a person and for tools: the printed per-layer table, layers.csv,
// summary.json and the figure (layer_accuracy.svg, like the paper's Figure 2). Files are written
// atomically (experiments/common/atomic_file.h).
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
    std::string threshold;
    std::string source;  // "trained", "checkpoint <file>" or "initialisation"
    int64_t train_size = 0, test_size = 0;
    // The last epoch's running train accuracy on the corrupted labels (the stop rule's figure), when
    // this invocation trained; < 0 when unknown. It is not the final model's train accuracy: each
    // batch is scored just before its own update, and with the file order fixed a memorizing network
    // can fit every batch as it comes yet forget those it saw long ago (MLP–MNIST, p = 0.8: 0.999
    // running, 0.734 for the model after that epoch).
    double running_train_acc = -1;
};

// Display label of a probed layer: the protocol's ("FC(128)") or the name itself.
std::string layer_label(const Protocol& protocol, const std::string& layer);

// The table printed after a probe run, with the best layers and their gain over the model.
std::string probe_table(const Protocol& protocol, const ProbeContext& context, const probe::ProbeResult& result);

// Writes layers.csv, summary.json and layer_accuracy.svg into `dir`.
void write_probe_files(const std::string& dir, const Protocol& protocol, const ProbeContext& context,
                       const probe::ProbeResult& result);

}  // namespace probenet::experiments
