// Early stopping on a held-out accuracy with patience P: after each epoch, a STRICT improvement over
// the best accuracy so far makes that epoch the best and resets the counter; otherwise the counter
// grows, and training stops once it reaches P. P = 0 turns early stopping off (every epoch runs; the
// best epoch is still tracked). Example, P = 3: accuracies .5 .6 .6 .55 .58 → best epoch 2, stop
// after epoch 5 (three epochs without beating .6; the equal .6 does not reset).
#pragma once

namespace probenet::experiments {

class EarlyStopping {
public:
    explicit EarlyStopping(int patience) : patience_(patience) {}
    // Restores the state after `best_epoch` (accuracy `best`) and `since_best` epochs without improvement.
    EarlyStopping(int patience, int best_epoch, double best, int since_best)
        : patience_(patience), best_epoch_(best_epoch), best_(best), since_best_(since_best) {}

    // Records epoch `epoch`'s accuracy; true if it is the new best.
    bool record(int epoch, double accuracy);
    bool should_stop() const { return patience_ > 0 && since_best_ >= patience_; }

    int best_epoch() const { return best_epoch_; }  // 0 before any record
    double best() const { return best_; }
    int since_best() const { return since_best_; }

private:
    int patience_;
    int best_epoch_ = 0;
    double best_ = -1;
    int since_best_ = 0;
};

}  // namespace probenet::experiments
