#include "experiments/common/early_stopping.h"

namespace probenet::experiments {

bool EarlyStopping::record(int epoch, double accuracy) {
    if (best_epoch_ == 0 || accuracy > best_) {
        best_epoch_ = epoch;
        best_ = accuracy;
        since_best_ = 0;
        return true;
    }
    ++since_best_;
    return false;
}

}  // namespace probenet::experiments
