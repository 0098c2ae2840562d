// probe_model: the paper's Algorithms 1–3 on a trained (or untrained) model, layer by layer,
// streamed through forward hooks so that no layer's activations of the whole dataset are held.
//
//   pass 1  the training set goes through the model in no-grad eval mode, batch by batch, in file
//           order; each probed layer's hook flattens its output to rows (n, d) and adds them to the
//           layer's ClassGram under both label sets at once (corrupted = the labels the model was
//           trained on, true = the original labels). The layer "input" is the network input itself.
//   fit     per layer, label set and class: PCA and k by the threshold rule (probe/pca.h); the
//           Grams are freed as soon as their layer is fitted.
//   pass 2  train and test sets go through the model again; each hook scores its rows with MASC
//           against both subspace sets (probe/masc.h) and tallies agreement with the corrupted and
//           true training labels, and with the test labels. The model's own predictions are counted
//           in the same pass.
// Memory: one ClassGram per probed layer (S·K·d² doubles; ~1.3 GB for the MLP's two 2048-wide
// layers), independent of the number of samples. Activations on a GPU are copied to the host per batch.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"
#include "nn/module.h"
#include "probe/layer_report.h"
#include "probe/masc.h"
#include "probe/threshold.h"

namespace probenet::probe {

struct ProbeConfig {
    std::vector<std::string> layers;  // module names, or "input"
    Threshold threshold = default_threshold();
    ZeroRowRule zero_rows = ZeroRowRule::LowestClass;
    int64_t batch = 1000;
    Device device = Device::CPU;
};

struct ProbeResult {
    // Two reports per layer, in layer order: subspaces fit on corrupted labels, then on true labels.
    std::vector<LayerReport> reports;
    double model_train_corrupt = 0, model_train_true = 0, model_test = 0;  // the model's own accuracies
    double seconds_pass1 = 0, seconds_fit = 0, seconds_pass2 = 0;
};

ProbeResult probe_model(nn::Module& model, const data::Dataset& train, const data::Dataset& test,
                        const ProbeConfig& config);

}  // namespace probenet::probe
