#include "experiments/grid/grid_options.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "experiments/protocols/protocol_registry.h"
#include "tensor/error.h"

namespace probenet::experiments {

namespace {

std::vector<std::string> split_list(const std::string& list, const std::string& flag) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    PROBENET_CHECK(!out.empty(), flag, " '", list, "' names nothing; give a comma-separated list");
    return out;
}

std::string paper_degrees() {
    std::string s;
    for (double p : kPaperCorruptions) s += (s.empty() ? "" : ", ") + corruption_text(p);
    return s;
}

// A degree of the paper's grid, written any way (0.8, .80, 0.800); anything else is refused.
double parse_corruption(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    PROBENET_CHECK(end && *end == '\0' && end != text.c_str(), "--corrupt: '", text,
                   "' is not a number; give degrees from the paper's grid: ", paper_degrees());
    for (double p : kPaperCorruptions)
        if (std::fabs(v - p) < 1e-9) return p;
    throw Error("--corrupt: " + text + " is not one of the paper's corruption degrees (" + paper_degrees() +
                "); for another degree run the pair's own main, e.g. ./experiments/mlp_mnist --corrupt " + text);
}

int parse_run(const std::string& text) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    PROBENET_CHECK(end && *end == '\0' && end != text.c_str() && v >= 1 && v <= 1000000, "--runs: '", text,
                   "' is not a run index; give whole numbers >= 1, e.g. --runs 1,2,3");
    return static_cast<int>(v);
}

}  // namespace

std::string corruption_text(double p) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", p);
    return buf;
}

GridOptions parse_grid_options(int argc, char** argv) {
    GridOptions o;
    std::string pairs, corrupt, runs = "1,2,3";
    std::string names;
    for (const std::string& n : protocol_names()) names += (names.empty() ? "" : ", ") + n;
    CLI::App app{"paper: the paper's grid — model–dataset pairs × corruption degrees × runs, each trained to its "
                 "stop rule and probed layer by layer — run cell by cell (resumable), aggregated into Table 1 and "
                 "Figure 2 beside the authors' numbers in <out>/paper/"};
    app.add_option("--pairs", pairs, "comma-separated pairs (default: every pair whose data is present): " + names);
    app.add_option("--corrupt", corrupt, "comma-separated corruption degrees (default: all of " + paper_degrees() + ")");
    app.add_option("--runs", runs, "comma-separated run indices (the run's seed)")->capture_default_str();
    app.add_option("--data-root", o.data_root, "folder holding each pair's dataset folder (mnist, fashion-mnist, "
                                                "cifar10, cifar100, tiny-imagenet)")->capture_default_str();
    app.add_option("--out", o.out, "folder for every cell (<out>/<pair>/p<P>/run<R>) and the aggregate "
                                   "(<out>/paper)")->capture_default_str();
    app.add_option("--train-size", o.train_size, "every cell: only the first N training samples (0: all)")
        ->capture_default_str();
    app.add_option("--max-epochs", o.max_epochs, "every cell: at most N epochs (default: the protocol's 500)");
    app.add_option("--threads", o.threads, "every cell: CPU threads (0: all cores)")->capture_default_str();
    app.add_option("--device", o.device, "every cell: cpu or cuda (default: cuda when present)");
    app.add_flag("--plan", o.plan, "print the cells, which are done, and the time left; run nothing");
    app.add_flag("--aggregate", o.aggregate_only, "re-render <out>/paper from the cells present; run nothing");
    app.add_option("--cell", o.cell, "run only share I of the grid (with --of N; job arrays: I = the task index)");
    app.add_option("--of", o.of, "the number of shares the grid is split into (with --cell I)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::ParseError& e) {
        throw Error(std::string(e.what()) + " (./experiments/paper --help lists the flags)");
    }
    if (!pairs.empty()) {
        o.pairs_given = true;
        for (const std::string& p : split_list(pairs, "--pairs")) o.pairs.push_back(protocol_named(p).name);
    } else {
        o.pairs = protocol_names();
    }
    if (!corrupt.empty()) {
        for (const std::string& p : split_list(corrupt, "--corrupt")) o.corruptions.push_back(parse_corruption(p));
    } else {
        o.corruptions.assign(kPaperCorruptions.begin(), kPaperCorruptions.end());
    }
    for (const std::string& r : split_list(runs, "--runs")) o.runs.push_back(parse_run(r));
    PROBENET_CHECK(o.train_size >= 0, "--train-size must be >= 0 (0: all), got ", o.train_size);
    PROBENET_CHECK(o.max_epochs >= -1, "--max-epochs must be >= 0, got ", o.max_epochs);
    PROBENET_CHECK(o.threads >= 0, "--threads must be >= 0 (0: all cores), got ", o.threads);
    PROBENET_CHECK(o.device.empty() || o.device == "cpu" || o.device == "cuda", "--device must be cpu or cuda, got '",
                   o.device, "'");
    PROBENET_CHECK((o.cell < 0) == (o.of == 0), "--cell I and --of N go together (share I of N, 0 <= I < N)");
    PROBENET_CHECK(o.of >= 0, "--of N must be >= 1, got ", o.of);
    PROBENET_CHECK(o.of == 0 || (o.cell >= 0 && o.cell < o.of), "--cell ", o.cell, " --of ", o.of,
                   ": the shares of ", o.of, " are numbered 0 to ", o.of - 1,
                   " (a Slurm array --array=0-", o.of - 1, " gives them)");
    PROBENET_CHECK(!(o.plan && o.aggregate_only), "--plan and --aggregate: give one of them");
    return o;
}

}  // namespace probenet::experiments
