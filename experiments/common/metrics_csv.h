// metrics.csv: one row per epoch, written after every epoch (atomically), read back on --resume.
//   epoch,loss,train_acc_corrupt,train_acc_true,test_acc,seconds
#pragma once

#include <string>
#include <vector>

#include "experiments/common/trainer.h"

namespace probenet::experiments {

std::string format_metrics_csv(const std::vector<EpochStats>& epochs);
// Parses a file written by format_metrics_csv; a malformed line is an error naming file and line.
std::vector<EpochStats> read_metrics_csv(const std::string& path);

}  // namespace probenet::experiments
