// What the aggregate needs from a finished cell, read from its summary.json (written by
// experiments/common/probe_report.cpp): the model's accuracies, the best layer's MASC test accuracy
// for corrupted- and true-label subspaces, and MASC's accuracies per layer. MASC at its first
// threshold (0.99 by default) is the paper's setting; other probes and thresholds are ignored here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet::experiments {

struct LayerResult {
    std::string layer, label;           // "fc3", "FC(2048)"
    double test_corrupted = 0;          // MASC test accuracy, corrupted-label subspaces
    double test_true = 0;               // … true-label subspaces
    double train_vs_corrupted = 0;      // corrupted-label subspaces: train accuracy vs the corrupted labels
    double train_vs_true = 0;           // … vs the true labels
};

struct CellResult {
    std::string pair, folder;
    double corrupt = 0;
    int run = 1;
    int64_t train_size = 0;
    int epochs = 0;
    double model_test = 0, model_train_corrupt = 0, model_train_true = 0;
    double best_corrupted = 0, best_true = 0;               // the best layer's MASC test accuracy
    std::string best_corrupted_layer, best_true_layer;      // its label
    std::vector<LayerResult> layers;                        // in the probe's order
};

// Reads <folder>/summary.json; throws probenet::Error naming the file when it is unreadable or lacks
// a MASC result.
CellResult read_cell_result(const std::string& folder);

// Every finished cell under `out` (<out>/<pair>/p*/run*/summary.json) of a registered pair, in the
// registry's order, then p, then run. Unreadable summaries are skipped, each with a line in `problems`.
std::vector<CellResult> read_cell_results(const std::string& out, std::vector<std::string>& problems);

}  // namespace probenet::experiments
