// One cell of the paper grid — a pair, a corruption degree p and a run — its folder
// (<out>/<pair>/p<P>/run<R>, what the pair's own main would write), its dataset folder, and its state
// on disk: done (summary.json exists), resumable (train_state.safetensors exists), running (another
// process holds its grid.lock or run.lock, experiments/common/run_folder.h), pending, or unavailable (the pair's
// dataset folder is missing).
#pragma once

#include <string>
#include <vector>

#include "experiments/grid/grid_options.h"

namespace probenet::experiments {

struct GridCell {
    std::string pair;
    double corrupt = 0;
    int run = 1;
    std::string folder;    // <out>/<pair>/p<P>/run<R>
    std::string data_dir;  // <data-root>/<the dataset's folder name>
    std::string unavailable;  // why the cell cannot run (its dataset is missing, with the expected layout); "" if it can

    std::string id() const;  // "mlp_mnist p=0.80 run 1"
};

enum class CellState { Done, Running, Resumable, Pending, Unavailable };

// The selected grid, pairs in the registry's order, then p, then run.
std::vector<GridCell> grid_cells(const GridOptions& options);

CellState cell_state(const GridCell& cell);
const char* state_name(CellState state);

// The pid of another process running the cell — a grid process holding its grid.lock, or any run
// holding its run.lock — or "" when none is.
std::string cell_lock_holder(const GridCell& cell);

}  // namespace probenet::experiments
