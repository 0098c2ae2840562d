// How long a cell of the grid takes, for --plan, the progress line's ETA and the longest-first order.
//
// A cell costs epochs × seconds per epoch, plus the probe (counted as four epochs' time: about what
// MLP–MNIST's five layers take). Before anything is measured both factors come from the pair's
// CostModel (experiments/common/protocol.h): seconds per epoch on the full training set on a 2-core
// CPU, scaled by --train-size, and the epochs the stop rule is expected to need at that p. Once any
// cell of the pair has a metrics.csv, its mean epoch time replaces the first, and once a cell at the
// same p is done its epoch count replaces the second. An interrupted cell costs only its epochs left.
#pragma once

#include <string>
#include <vector>

#include "experiments/grid/grid_cell.h"

namespace probenet::experiments {

struct CellEstimate {
    double seconds = 0;          // time left for the cell (0 when done)
    double epoch_seconds = 0;    // the epoch time assumed
    int epochs_left = 0;
    bool measured_epoch_time = false;  // from this grid's metrics.csv files (else the protocol's prior)
};

// The estimate from the protocol alone (no files read): the same in every process, so the shares of
// --cell/--of and of MPI ranks never depend on what has run.
double prior_cell_seconds(const GridCell& cell, const GridOptions& options);

// The estimate from what the grid's folders hold now.
CellEstimate estimate_cell(const GridCell& cell, const std::vector<GridCell>& grid, const GridOptions& options);

// "3h05m", "12m40s", "35s".
std::string format_duration(double seconds);

}  // namespace probenet::experiments
