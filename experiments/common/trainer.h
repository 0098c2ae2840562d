// The training loop of the paper's protocol: epochs over the training set in file order (no
// shuffling), mean cross-entropy on the (corrupted) training labels, one optimizer step per batch,
// stopping once the *running* train accuracy of an epoch — the predictions made on each batch
// just before its update, as the authors' code measures it — reaches the target.
#pragma once

#include <functional>
#include <vector>

#include "data/dataset.h"
#include "nn/module.h"
#include "optim/optimizer.h"

namespace probenet::experiments {

struct EpochStats {
    int epoch = 0;
    double loss = 0;              // mean over the epoch's batches
    double running_acc_corrupt = 0;  // running predictions vs the training (corrupted) labels
    double running_acc_true = 0;     // the same predictions vs the true labels
    double test_acc = 0;
    double seconds = 0;           // training time of the epoch (without the test pass)
};

struct TrainConfig {
    int first_epoch = 1;  // > 1 when resuming (experiments/common/train_state.h)
    int max_epochs = 500;
    double target_acc = 0.999;
    int64_t batch = 32;
    Device device = Device::CPU;
};

struct TrainResult {
    std::vector<EpochStats> epochs;
    bool reached_target = false;
};

// The authors' stop rule: an epoch's running train accuracy on the corrupted labels reached the target.
inline bool meets_stop_rule(const EpochStats& epoch, double target_acc) {
    return epoch.running_acc_corrupt >= target_acc;
}

TrainResult train(nn::Module& model, optim::Optimizer& optimizer, const data::Dataset& train_set,
                  const data::Dataset& test_set, const TrainConfig& config,
                  const std::function<void(const EpochStats&)>& on_epoch);

}  // namespace probenet::experiments
