// run_experiment: the whole pipeline behind every experiments/<name>.cpp main —
// options → data (+ the paper's label corruption) → model → training (or a checkpoint) → probe →
// reports under the output folder. Errors are printed with their message and give exit code 1.
#pragma once

#include "experiments/common/protocol.h"

namespace probenet::experiments {

int run_experiment(const Protocol& protocol, int argc, char** argv);

}  // namespace probenet::experiments
