// TrainingHealth: tells a training run that has silently stopped learning from one that is merely slow.
//
// Only a non-finite loss used to stop a run. Two failures pass that check and end at exit 0 with a
// useless model (seen with `cnn_mnist --lr 1e6`: loss 3·10²⁰ in epoch 1, then exactly ln 10 forever):
//   exploded  the epoch's mean cross-entropy exceeds kExplodedFactor · ln K. A network at its
//             initialisation scores ≈ ln K, and training only lowers it; a thousand times that means
//             the weights blew up.
//   dead      every batch of the epoch produced bit-identical logits for all its rows: the output no
//             longer depends on the input (typically every ReLU unit is dead, leaving the last bias),
//             so its gradient with respect to all earlier weights is zero and no later epoch can change
//             that. A live network, even at its random initialisation, gives different rows different
//             logits. Batches of one row carry no evidence and are ignored.
// Shapes: logits (m, K) float32 on the CPU, one batch at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tensor/tensor.h"

namespace probenet::experiments {

class TrainingHealth {
public:
    static constexpr double kExplodedFactor = 1000.0;

    explicit TrainingHealth(int num_classes);

    void start_epoch();
    // One training batch: its logits (before the update) and its mean loss.
    void add_batch(const Tensor& logits, double loss);
    // After the epoch: an explanation naming the epoch and what to do, or nothing when healthy.
    std::optional<std::string> problem(int epoch) const;

private:
    int num_classes_;
    double loss_sum_ = 0;
    int64_t batches_ = 0;
    int64_t informative_batches_ = 0;  // batches with ≥ 2 rows
    bool constant_output_ = true;      // every informative batch had identical logit rows so far
};

}  // namespace probenet::experiments
