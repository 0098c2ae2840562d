// Protocol: everything an experiment's main states about its setting — dataset, model, optimizer,
// batch, stop rule, probed layers and the authors' published numbers — so that the shared code
// (experiment.cpp) holds no protocol constants of its own. The paper grid (./experiments/paper) also
// reads each protocol's published numbers (its Table 1 columns) and its cost model (--plan, and the
// longest-first order in which cells are handed out).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/random.h"

namespace probenet::experiments {

enum class OptimizerKind { SGD, Adam };

// The corruption degrees of the paper's grid and tables; PerCorruption arrays are indexed like it.
inline constexpr std::array<double, 6> kPaperCorruptions{0.0, 0.2, 0.4, 0.6, 0.8, 1.0};
inline constexpr double kUnpublished = std::numeric_limits<double>::quiet_NaN();
using PerCorruption = std::array<double, 6>;

// What the authors published for a pair, as fractions (mean of their 3 runs); kUnpublished where
// they give no number.
struct PublishedNumbers {
    PerCorruption model_test{kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished};
    // The best layer's MASC test accuracy with corrupted-label and with true-label subspaces.
    PerCorruption masc_corrupted{kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished};
    PerCorruption masc_true{kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished};
    // The paper's Table 1: (best-layer MASC − model) / model, corrupted-label subspaces.
    PerCorruption relative_gain{kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished, kUnpublished};
};

// How long a cell of this pair takes, before any has been measured: seconds per epoch on the full
// training set on a 2-core CPU, and the epochs the stop rule is expected to need at each p (the
// authors publish no epoch counts). `basis` says which numbers were measured and which are guesses.
struct CostModel {
    double epoch_seconds = 0;
    int64_t train_samples = 0;  // the full training set the epoch time is for
    std::array<int, 6> epochs{500, 500, 500, 500, 500, 500};
    std::string basis;
};

struct Protocol {
    std::string name;              // "mlp_mnist": names the output folder
    std::string dataset;           // a data/dataset_registry.h name, e.g. "mnist": it brings the default
                                   // --data folder, scaling, corruption rule, sample shape and class count
    std::function<std::unique_ptr<nn::Module>(Rng&)> make_model;
    OptimizerKind optimizer = OptimizerKind::SGD;
    float lr = 1e-3f;
    float momentum = 0.0f;         // SGD only
    int batch = 32;
    double target_train_acc = 0.999;  // stop when the running train accuracy (corrupted labels) reaches it
    int max_epochs = 500;
    double default_corrupt = 0.8;
    // Module names to probe, or "input" for the network input; tables label them from the module's
    // kind and width, e.g. "FC(128)" (experiments/common/layer_label.h).
    std::vector<std::string> probe_layers;
    std::string expected;          // the authors' numbers, printed at start for comparison
    PublishedNumbers published;    // the same, as numbers, for the paper grid's tables
    CostModel cost;                // the paper grid's estimate of a cell's time
};

}  // namespace probenet::experiments
