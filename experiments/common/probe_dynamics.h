// Probing during training (--probe-every N): every N epochs the chosen layers are probed with the
// chosen probes, and the results accumulate in dynamics.csv — one row per epoch, layer, probe,
// threshold and label set fitted on:
//   epoch,probe_seconds,epoch_seconds,<the columns of layers.csv>
// — and dynamics.svg: MASC's test accuracy per layer (first threshold, corrupted-label fit) against
// the epoch, beside the model's own running train accuracy and test accuracy at those epochs.
// probe_seconds against epoch_seconds is what a probe point costs next to an epoch of training.
// Both files are rewritten atomically after each probe point, so an interrupted run keeps them.
#pragma once

#include <string>
#include <vector>

#include "experiments/common/probe_report.h"
#include "experiments/common/trainer.h"

namespace probenet::experiments {

class ProbeDynamics {
public:
    ProbeDynamics(std::string dir, std::string title) : dir_(std::move(dir)), title_(std::move(title)) {}

    // Records the probe of `epoch` (taking probe_seconds) and rewrites dynamics.csv and dynamics.svg.
    void record(const EpochStats& epoch, double probe_seconds, const ProbeContext& context,
                const probe::ProbeResult& result);

private:
    struct Point {
        EpochStats epoch;
        double probe_seconds = 0;
        probe::ProbeResult result;
    };
    std::string dir_, title_;
    std::vector<Point> points_;
    std::vector<std::string> label_sets_;
    std::string csv_;
};

}  // namespace probenet::experiments
