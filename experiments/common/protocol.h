// Protocol: everything an experiment's main states about its setting — dataset, model, optimizer,
// batch, stop rule, probed layers and the authors' published numbers — so that the shared code
// (experiment.cpp) holds no protocol constants of its own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nn/module.h"
#include "tensor/random.h"

namespace probenet::experiments {

enum class OptimizerKind { SGD, Adam };

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
};

}  // namespace probenet::experiments
