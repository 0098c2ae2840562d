// The paper grid's three modes, for ./experiments/paper:
//   run         every cell of this process's share (all of it alone; its rank's under mpirun; share I
//               with --cell I --of N) that is not done, longest first, resuming interrupted cells; after
//               each one line of progress (the grid's elapsed time and the ETA of the share) and the
//               aggregate rewritten (experiments/grid/paper_aggregate.h; by rank 0 under MPI);
//   --plan      the cells, their state, share and estimated time left; nothing is run or written;
//   --aggregate re-renders <out>/paper from whatever cells are finished.
// Cells whose dataset is missing are listed as unavailable with the layout expected; bad combinations
// (more ranks than cells, --cell with mpirun, no cell able to run) end in an error before any work.
#pragma once

#include "experiments/grid/grid_options.h"
#include "experiments/grid/rank_group.h"

namespace probenet::experiments {

// The exit code: 0 when every cell of the share is done, 1 on an error or a failed cell.
int run_grid(const GridOptions& options, RankGroup& group);

}  // namespace probenet::experiments
