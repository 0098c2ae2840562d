// The grid's ranks under mpirun (MPI_COMM_WORLD), built only when CMake finds MPI
// (PROBENET_HAVE_MPI). Rank 0 collects "cell finished" and "rank finished" messages from the others
// while it re-renders the aggregate; no data moves over MPI, the cells' results are files on the
// shared --out. Each rank takes its own GPU where the node has several (CUDA_VISIBLE_DEVICES set
// from its local rank) and its own --threads.
#pragma once

#include <memory>

#include "experiments/grid/rank_group.h"

namespace probenet::experiments {

// The MPI group when this process was started by mpirun (MPI's launch variables are set), after
// MPI_Init; nullptr otherwise, so a plain ./experiments/paper never initialises MPI. MPI_Finalize
// runs when the group is destroyed.
std::unique_ptr<RankGroup> mpi_rank_group(int* argc, char*** argv);

}  // namespace probenet::experiments
