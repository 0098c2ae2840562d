// TrainingHealth: see training_health.h for the two rules and why they cannot misfire on a live run.
#include "experiments/common/training_health.h"

#include <cmath>
#include <cstring>

#include "tensor/error.h"

namespace probenet::experiments {

TrainingHealth::TrainingHealth(int num_classes) : num_classes_(num_classes) {
    PROBENET_CHECK(num_classes >= 2, "TrainingHealth: need at least 2 classes, got ", num_classes);
}

void TrainingHealth::start_epoch() {
    loss_sum_ = 0;
    batches_ = informative_batches_ = 0;
    constant_output_ = true;
}

void TrainingHealth::add_batch(const Tensor& logits, double loss) {
    PROBENET_CHECK(logits.rank() == 2, "TrainingHealth: logits must be (m, K), got ", logits.shape_str());
    loss_sum_ += loss;
    ++batches_;
    const int64_t m = logits.dim(0), k = logits.dim(1);
    if (m < 2) return;
    ++informative_batches_;
    if (!constant_output_) return;
    const Tensor host = logits.to(Device::CPU);
    const float* first = host.data();
    for (int64_t r = 1; r < m && constant_output_; ++r)
        constant_output_ = std::memcmp(first, first + r * k, sizeof(float) * static_cast<size_t>(k)) == 0;
}

std::optional<std::string> TrainingHealth::problem(int epoch) const {
    if (batches_ == 0) return std::nullopt;
    const double mean_loss = loss_sum_ / double(batches_);
    const double chance = std::log(double(num_classes_));
    if (mean_loss > kExplodedFactor * chance)
        return detail::concat("training exploded at epoch ", epoch, ": mean loss ", mean_loss, " is over ",
                              kExplodedFactor, "× the ", chance, " (ln ", num_classes_,
                              ") of an untrained network; the weights diverged. Retry with a lower --lr");
    if (informative_batches_ > 0 && constant_output_)
        return detail::concat("training died at epoch ", epoch, ": the network gave every training sample the same "
                              "logits (mean loss ", mean_loss, ", ln ", num_classes_, " = ", chance,
                              "), so its output no longer depends on the input and no further epoch can change "
                              "that (typically every ReLU unit is dead after too large a step). Retry with a lower "
                              "--lr");
    return std::nullopt;
}

}  // namespace probenet::experiments
