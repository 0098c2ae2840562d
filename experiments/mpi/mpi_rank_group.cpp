#include "experiments/mpi/mpi_rank_group.h"

#include <mpi.h>

#include <cstdlib>

namespace probenet::experiments {

namespace {

constexpr int kCellFinished = 1;  // message tags to rank 0
constexpr int kRankFinished = 2;

class MpiRankGroup final : public RankGroup {
public:
    MpiRankGroup(int* argc, char*** argv) {
        MPI_Init(argc, argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
    }
    ~MpiRankGroup() override { MPI_Finalize(); }

    int rank() const override { return rank_; }
    int size() const override { return size_; }

    void report_cell_finished() override {
        if (rank_ == 0) return;
        int nothing = 0;
        MPI_Send(&nothing, 1, MPI_INT, 0, kCellFinished, MPI_COMM_WORLD);
    }

    void finish(const std::function<void()>& on_cell_finished) override {
        int nothing = 0;
        if (rank_ != 0) {
            MPI_Send(&nothing, 1, MPI_INT, 0, kRankFinished, MPI_COMM_WORLD);
        } else {
            for (int running = size_ - 1; running > 0;) {
                MPI_Status status;
                MPI_Recv(&nothing, 1, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status);
                if (status.MPI_TAG == kCellFinished) on_cell_finished();
                else --running;
            }
        }
        MPI_Barrier(MPI_COMM_WORLD);
    }

private:
    int rank_ = 0, size_ = 1;
};

// Set by Open MPI's, MPICH's and Slurm's PMI launchers for every process they start.
bool launched_by_mpirun() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(var)) return true;
    return false;
}

}  // namespace

std::unique_ptr<RankGroup> mpi_rank_group(int* argc, char*** argv) {
    if (!launched_by_mpirun()) return nullptr;
    return std::make_unique<MpiRankGroup>(argc, argv);
}

}  // namespace probenet::experiments
