// paper — the whole paper in one command: every model–dataset pair × corruption degree p × run, each
// cell trained to its stop rule and probed layer by layer (the pair's own pipeline, run in this
// process), resumable cell by cell, then aggregated into the paper's Table 1 and Figure 2 beside the
// authors' numbers in <out>/paper/. Under mpirun the cells are split over the ranks; with
// --cell I --of N this process runs share I (job arrays, scripts/paper_slurm.sh).
//
// usage: ./experiments/paper [--pairs mlp_mnist,cnn_fashion_mnist] [--corrupt 0,0.8] [--runs 1,2,3]
//            [--data-root data] [--out results] [--train-size N] [--plan | --aggregate] ... (--help)
#include <cstdio>
#include <memory>

#include "experiments/grid/grid_options.h"
#include "experiments/grid/grid_run.h"
#include "tensor/runtime.h"
#ifdef PROBENET_HAVE_MPI
#include "experiments/mpi/mpi_rank_group.h"
#endif

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    probenet::choose_blas_kernels(argv);  // before MPI starts and before any cell: it may re-run this program
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::unique_ptr<RankGroup> group;
#ifdef PROBENET_HAVE_MPI
    group = mpi_rank_group(&argc, &argv);
#endif
    if (!group) group = solo_rank_group();
    try {
        return run_grid(parse_grid_options(argc, argv), *group);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        if (group->rank() == 0) std::fprintf(stderr, "paper: error: %s\n", e.what());
        return 1;
    }
}
