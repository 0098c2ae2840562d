// The paper grid's command line (./experiments/paper): which pairs, corruption degrees and runs, where
// the data and the results are, what is passed through to every cell, and the mode (run, --plan,
// --aggregate) with the share of the grid this process runs (--cell I --of N). Every value is checked
// here, before any work: an unknown pair or p, a bad run index or share is a probenet::Error naming
// the flag, the value and what to give instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet::experiments {

struct GridOptions {
    std::vector<std::string> pairs;   // --pairs a,b (default: every registered pair; see pairs_given)
    bool pairs_given = false;
    std::vector<double> corruptions;  // --corrupt 0,0.2 (default: the paper's six degrees)
    std::vector<int> runs;            // --runs 1,2,3 (default 1,2,3)
    std::string data_root = "data";   // --data-root DIR: each pair's dataset in DIR/<folder> (mnist, cifar10…)
    std::string out = "results";      // --out DIR: cells in DIR/<pair>/p<P>/run<R>, the aggregate in DIR/paper
    // Passed through to every cell (0 / -1 / "": the cell's own default).
    int64_t train_size = 0;           // --train-size N
    int max_epochs = -1;              // --max-epochs N
    int threads = 0;                  // --threads T
    std::string device;               // --device cpu|cuda
    bool plan = false;                // --plan: print the cells, their state and the time left; run nothing
    bool aggregate_only = false;      // --aggregate: re-render <out>/paper from the cells present; run nothing
    int cell = -1, of = 0;            // --cell I --of N: run share I of N (job arrays); -1/0: not given
};

// Parses and checks argv; --help prints the usage and exits 0.
GridOptions parse_grid_options(int argc, char** argv);

// p as it names a cell's folder and is passed to --corrupt: "0.80".
std::string corruption_text(double p);

}  // namespace probenet::experiments
