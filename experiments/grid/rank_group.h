// The processes that run one grid together. A single process (also each task of a job array) is a
// group of one; under mpirun every rank is one member (experiments/mpi/mpi_rank_group.cpp, built when
// CMake finds MPI). Rank 0 writes the aggregate: the other ranks tell it when one of their cells has
// finished, and it re-renders after each.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace probenet::experiments {

class RankGroup {
public:
    virtual ~RankGroup() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // A rank other than 0 finished a cell: tell rank 0 (which re-renders the aggregate).
    virtual void report_cell_finished() = 0;
    // After this rank's own cells. Rank 0 calls `on_cell_finished` once for every cell another rank
    // reports, until every rank has finished; the other ranks tell rank 0 they have finished.
    virtual void finish(const std::function<void()>& on_cell_finished) = 0;
};

// A group of one: this process alone.
std::unique_ptr<RankGroup> solo_rank_group();

}  // namespace probenet::experiments
