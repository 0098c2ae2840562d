// Splitting the grid's cells into N shares — one per MPI rank, or one per job-array task (--cell I
// --of N) — so that no two shares hold the same cell: longest first (by the protocol-only estimate,
// experiments/grid/cell_estimate.h), each cell to the share with the least estimated work so far
// (ties to the lowest share). The split depends only on the selected grid and the flags, never on
// what has run, so every process computes the same one; a process then runs its share's cells that
// are not done, longest first.
#pragma once

#include <cstddef>
#include <vector>

namespace probenet::experiments {

// For each cell (by its estimated seconds), the share that runs it, in [0, shares).
std::vector<int> assign_shares(const std::vector<double>& seconds, int shares);

// The order a share runs its cells in: longest first, ties in grid order.
std::vector<size_t> longest_first(const std::vector<double>& seconds);

}  // namespace probenet::experiments
