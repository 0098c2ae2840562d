// Runs one cell of the grid in this process: the pair's pipeline (run_experiment, the same call its
// main makes) with the argv its main would get — --corrupt, --run, --out <cell folder>, --data, the
// grid's pass-through flags, and --resume when the folder holds a train_state.safetensors — while the
// process's stdout and stderr go to <cell folder>/cell.log (appended, so a resumed cell's log keeps
// its earlier part).
//
// Why in-process rather than a child process of the pair's main: a grid process killed at any moment
// (kill -9, a job's time limit) takes its cell with it, so no orphan keeps training or holds the
// cell's run.lock when the grid is restarted; an MPI rank stays one process (no fork under MPI); and
// the files are exactly what the main writes, since it is the same code. Before anything is written
// the grid claims the folder (a RunFolder lock on grid.lock), so a second grid process given the same
// cell writes nothing there; the cell's own run.lock still refuses any other process.
#pragma once

#include <string>
#include <vector>

#include "experiments/grid/grid_cell.h"

namespace probenet::experiments {

// The argv the cell's pipeline gets (argv[0] is the pair's name).
std::vector<std::string> cell_arguments(const GridCell& cell, const GridOptions& options);

struct CellOutcome {
    int exit_code = 0;    // run_experiment's: 0 when the cell finished
    double seconds = 0;   // wall time of this invocation
    bool resumed = false;
    std::string log;      // <cell folder>/cell.log
};

// Throws probenet::Error when another grid process has claimed the cell (or its folder cannot be made).
CellOutcome run_cell(const GridCell& cell, const GridOptions& options);

}  // namespace probenet::experiments
