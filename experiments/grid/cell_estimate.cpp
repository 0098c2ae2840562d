#include "experiments/grid/cell_estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "experiments/common/metrics_csv.h"
#include "experiments/protocols/protocol_registry.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

namespace {

constexpr double kProbeEpochs = 4;  // the probe, in epochs' time

size_t corruption_index(double p) {
    for (size_t i = 0; i < kPaperCorruptions.size(); ++i)
        if (std::fabs(kPaperCorruptions[i] - p) < 1e-9) return i;
    return kPaperCorruptions.size() - 1;
}

// The share of the full training set a cell trains on.
double train_fraction(const Protocol& protocol, const GridOptions& o) {
    if (o.train_size <= 0 || protocol.cost.train_samples <= 0) return 1.0;
    return std::min(1.0, double(o.train_size) / double(protocol.cost.train_samples));
}

int prior_epochs(const Protocol& protocol, double p, const GridOptions& o) {
    const int limit = o.max_epochs >= 0 ? o.max_epochs : protocol.max_epochs;
    return std::min(limit, protocol.cost.epochs[corruption_index(p)]);
}

std::vector<EpochStats> metrics_of(const GridCell& cell) {
    const fs::path path = fs::path(cell.folder) / "metrics.csv";
    if (!fs::exists(path)) return {};
    try {
        return read_metrics_csv(path.string());
    } catch (const std::exception&) {
        return {};  // being rewritten or damaged: the estimate does without it
    }
}

}  // namespace

double prior_cell_seconds(const GridCell& cell, const GridOptions& o) {
    const Protocol protocol = protocol_named(cell.pair);
    const double epoch = protocol.cost.epoch_seconds * train_fraction(protocol, o);
    return epoch * (prior_epochs(protocol, cell.corrupt, o) + kProbeEpochs);
}

CellEstimate estimate_cell(const GridCell& cell, const std::vector<GridCell>& grid, const GridOptions& o) {
    CellEstimate e;
    if (cell_state(cell) == CellState::Done) return e;
    const Protocol protocol = protocol_named(cell.pair);
    e.epoch_seconds = protocol.cost.epoch_seconds * train_fraction(protocol, o);
    int epochs = prior_epochs(protocol, cell.corrupt, o);
    double seconds = 0, measured_epochs = 0, done_epochs = 0, done_cells = 0;
    for (const GridCell& other : grid) {
        if (other.pair != cell.pair) continue;
        const std::vector<EpochStats> m = metrics_of(other);
        for (const EpochStats& s : m) seconds += s.seconds;
        measured_epochs += double(m.size());
        if (std::fabs(other.corrupt - cell.corrupt) < 1e-9 && cell_state(other) == CellState::Done && !m.empty()) {
            done_epochs += double(m.size());
            ++done_cells;
        }
    }
    if (measured_epochs > 0) {
        e.epoch_seconds = seconds / measured_epochs;
        e.measured_epoch_time = true;
    }
    if (done_cells > 0) epochs = static_cast<int>(std::lround(done_epochs / done_cells));
    const int trained = static_cast<int>(metrics_of(cell).size());
    e.epochs_left = std::max(0, epochs - trained);
    if (trained > 0 && e.epochs_left == 0) e.epochs_left = 1;  // it ran past the estimate: at least one more
    e.seconds = e.epoch_seconds * (e.epochs_left + kProbeEpochs);
    return e;
}

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lds", s);
    return buf;
}

}  // namespace probenet::experiments
