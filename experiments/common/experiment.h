// run_experiment: the whole pipeline behind every experiments/<name>.cpp main —
// options → data (+ the paper's label corruption) → model (seeded, --init or --checkpoint) → probe
// settings → output folder (checked, created, locked: experiments/common/run_folder.h) → training
// (unless a checkpoint was given) → probe → reports under the output folder. Every check runs before
// the output folder is created, so a refused run leaves nothing behind. Errors are printed with their
// message and give exit code 1.
#pragma once

#include "experiments/common/protocol.h"

namespace probenet::experiments {

int run_experiment(const Protocol& protocol, int argc, char** argv);

}  // namespace probenet::experiments
