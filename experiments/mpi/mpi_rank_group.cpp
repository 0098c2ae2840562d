#include "experiments/mpi/mpi_rank_group.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace probenet::experiments {

namespace {

constexpr int kCellFinished = 1;  // message tags to rank 0
constexpr int kRankFinished = 2;

// This rank's index among the ranks on its node, from the launcher; -1 when it does not say.
int local_rank() {
    for (const char* var : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
        if (const char* v = std::getenv(var)) return std::atoi(v);
    return -1;
}

// Each rank on its own GPU: the local rank's share of the GPUs the node has (or of those already
// listed in CUDA_VISIBLE_DEVICES), set before anything starts CUDA. The GPUs are counted from the
// NVIDIA driver's /proc entries, so this needs no CUDA here; without GPUs nothing changes.
void give_rank_its_gpu(int rank) {
    const int local = local_rank();
    if (local < 0) return;
    std::vector<std::string> gpus;
    if (const char* listed = std::getenv("CUDA_VISIBLE_DEVICES")) {
        std::stringstream in(listed);
        for (std::string id; std::getline(in, id, ',');)
            if (!id.empty()) gpus.push_back(id);
    } else {
        std::error_code ec;
        int count = 0;
        for (auto it = std::filesystem::directory_iterator("/proc/driver/nvidia/gpus", ec);
             !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
            ++count;
        for (int i = 0; i < count; ++i) gpus.push_back(std::to_string(i));
    }
    if (gpus.empty()) return;
    const std::string mine = gpus[static_cast<size_t>(local) % gpus.size()];
    setenv("CUDA_VISIBLE_DEVICES", mine.c_str(), 1);
    std::printf("[rank %d] GPU %s of this node's %zu (CUDA_VISIBLE_DEVICES)\n", rank, mine.c_str(), gpus.size());
}

// Set by Open MPI's, MPICH's and Slurm's PMI launchers for every process they start.
bool launched_by_mpirun() {
    for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
        if (std::getenv(var)) return true;
    return false;
}

class MpiRankGroup final : public RankGroup {
public:
    MpiRankGroup(int* argc, char*** argv) {
        MPI_Init(argc, argv);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
        MPI_Comm_size(MPI_COMM_WORLD, &size_);
        if (size_ > 1) give_rank_its_gpu(rank_);
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

}  // namespace

std::unique_ptr<RankGroup> mpi_rank_group(int* argc, char*** argv) {
    if (!launched_by_mpirun()) return nullptr;
    return std::make_unique<MpiRankGroup>(argc, argv);
}

}  // namespace probenet::experiments
