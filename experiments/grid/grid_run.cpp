#include "experiments/grid/grid_run.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <set>

#include "experiments/grid/cell_estimate.h"
#include "experiments/grid/cell_runner.h"
#include "experiments/grid/cell_result.h"
#include "experiments/grid/grid_cell.h"
#include "experiments/grid/grid_shares.h"
#include "experiments/grid/paper_aggregate.h"
#include "tensor/error.h"

namespace probenet::experiments {

namespace {

using Clock = std::chrono::steady_clock;

// Which share of the grid this process runs, out of how many.
struct Share {
    int index = 0, count = 1;
    std::string name;  // "rank 2 of 4", "share 1 of 3", or "" alone
};

Share share_of(const GridOptions& o, const RankGroup& group) {
    if (group.size() > 1) {
        PROBENET_CHECK(o.of == 0, "--cell ", o.cell, " --of ", o.of, " splits the grid for job arrays, and mpirun -np ",
                       group.size(), " splits it over ranks: give one of them");
        return {group.rank(), group.size(), "rank " + std::to_string(group.rank()) + " of " + std::to_string(group.size())};
    }
    if (o.of > 0) return {o.cell, o.of, "share " + std::to_string(o.cell) + " of " + std::to_string(o.of)};
    return {};
}

void print_unavailable(const std::vector<GridCell>& cells) {
    std::set<std::string> pairs;
    for (const GridCell& c : cells)
        if (!c.unavailable.empty() && pairs.insert(c.pair).second) {
            int n = 0;
            for (const GridCell& d : cells) n += d.pair == c.pair;
            std::printf("unavailable: %s (%d cells): %s\n", c.pair.c_str(), n, c.unavailable.c_str());
        }
}

void print_aggregate(const AggregateResult& a) {
    std::printf("aggregate: %d finished cells → %zu files in %s\n", a.cells, a.written.size(),
                a.written.empty() ? "?" : a.written.front().substr(0, a.written.front().rfind('/')).c_str());
    for (const std::string& note : a.notes) std::printf("note: %s\n", note.c_str());
    std::fflush(stdout);
}

// Rewrites the aggregate; a failure is printed, never fatal to the cells still to run.
void aggregate(const std::string& out) {
    try {
        print_aggregate(write_paper_aggregate(out));
    } catch (const std::exception& e) {
        std::printf("aggregate: not written: %s\n", e.what());
    }
}

int print_plan(const std::vector<GridCell>& cells, const std::vector<int>& share_of_cell, const Share& share,
               const GridOptions& o) {
    std::printf("%-40s %-18s %6s %12s  %s\n", "cell", "state", "share", "time left", "estimate from");
    std::vector<double> left(static_cast<size_t>(share.count), 0.0);
    bool any_measured = false, any_prior = false;
    size_t runnable = 0;
    for (size_t i = 0; i < cells.size(); ++i) {
        const GridCell& c = cells[i];
        const CellState state = cell_state(c);
        if (state == CellState::Unavailable) continue;  // one line per pair below
        const CellEstimate e = estimate_cell(c, cells, o);
        const int s = share_of_cell[runnable++];
        left[static_cast<size_t>(s)] += e.seconds;
        std::string basis = "-";
        if (state != CellState::Done) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "%d epochs × %.1f s (%s) + probe", e.epochs_left, e.epoch_seconds,
                          e.measured_epoch_time ? "measured" : "protocol's estimate");
            basis = buf;
            (e.measured_epoch_time ? any_measured : any_prior) = true;
        }
        std::printf("%-40s %-18s %6d %12s  %s\n", c.id().c_str(), state_name(state), s,
                    state == CellState::Done ? "-" : format_duration(e.seconds).c_str(), basis.c_str());
    }
    const double total = std::accumulate(left.begin(), left.end(), 0.0);
    double longest = 0;
    for (double l : left) longest = std::max(longest, l);
    std::printf("time left: %s of work", format_duration(total).c_str());
    if (share.count > 1) std::printf(", %s with %d shares in parallel (the busiest share)", format_duration(longest).c_str(), share.count);
    std::printf("\nestimates: %s\n", !any_measured && !any_prior ? "none needed, every cell that can run is done"
                                     : any_measured && any_prior ? "epoch times measured in this grid's metrics.csv where a pair has any, else the protocol's"
                                     : any_measured           ? "epoch times measured in this grid's metrics.csv"
                                                              : "the protocols' epoch times and epoch counts (nothing measured yet; "
                                                                "./experiments/paper --help, experiments/protocols/*.cpp)");
    print_unavailable(cells);
    return 0;
}

std::string cell_summary_line(const GridCell& cell) {
    try {
        const CellResult r = read_cell_result(cell.folder);
        char buf[256];
        std::snprintf(buf, sizeof buf, "%d epochs, model test %.4f, best MASC %.4f (%s) corrupted / %.4f (%s) true",
                      r.epochs, r.model_test, r.best_corrupted, r.best_corrupted_layer.c_str(), r.best_true,
                      r.best_true_layer.c_str());
        return buf;
    } catch (const Error& e) {
        return e.what();
    }
}

// The last "<pair>: error: …" line a failed cell wrote to its log (its first line: messages that
// name the expected layout go on below it), or a pointer to the log.
std::string last_error_in(const std::string& log) {
    std::ifstream in(log);
    std::string line, error;
    while (std::getline(in, line))
        if (line.find(": error: ") != std::string::npos) error = line;
    return error.empty() ? "no error line" : error;
}

}  // namespace

int run_grid(const GridOptions& o, RankGroup& group) {
    const auto start = Clock::now();
    const bool root = group.rank() == 0;
    const std::vector<GridCell> cells = grid_cells(o);
    const Share share = share_of(o, group);
    std::vector<size_t> runnable;  // indices into cells
    for (size_t i = 0; i < cells.size(); ++i)
        if (cells[i].unavailable.empty()) runnable.push_back(i);

    if (o.aggregate_only) {
        if (root) print_aggregate(write_paper_aggregate(o.out));
        return 0;
    }
    if (runnable.empty()) {
        if (root) print_unavailable(cells);
        throw Error("no cell of the selected grid can run: every selected pair's dataset is missing under --data-root " +
                    o.data_root + " (see the lines above; `make data` fetches MNIST and Fashion-MNIST)");
    }
    if (group.size() > static_cast<int>(runnable.size())) {
        const int idle = static_cast<int>(runnable.size());
        throw Error("mpirun -np " + std::to_string(group.size()) + ": the grid has " + std::to_string(idle) +
                    " cells that can run, so " +
                    (idle == group.size() - 1 ? "rank " + std::to_string(idle)
                                              : "ranks " + std::to_string(idle) + "–" + std::to_string(group.size() - 1)) +
                    " would have nothing to do; start at most " + std::to_string(idle) + " ranks");
    }
    std::vector<double> prior;
    for (size_t i : runnable) prior.push_back(prior_cell_seconds(cells[i], o));
    const std::vector<int> share_of_cell = assign_shares(prior, share.count);

    if (o.plan) return root ? print_plan(cells, share_of_cell, share, o) : 0;

    if (root) print_unavailable(cells);
    std::vector<size_t> mine;  // indices into cells, longest first
    for (size_t k : longest_first(prior))
        if (share_of_cell[k] == share.index) mine.push_back(runnable[k]);
    const std::string who = share.name.empty() ? "" : "[" + share.name + "] ";
    std::printf("%sgrid: %zu cells selected, %zu can run, %zu of them in this process; results in %s\n", who.c_str(),
                cells.size(), runnable.size(), mine.size(), o.out.c_str());
    std::fflush(stdout);
    int failed = 0, finished = 0, skipped = 0, ran = 0;
    for (size_t n = 0; n < mine.size(); ++n) {
        const GridCell& cell = cells[mine[n]];
        const CellState state = cell_state(cell);
        if (state == CellState::Done) {
            ++finished;
            continue;
        }
        if (state == CellState::Running) {
            std::printf("%s%s: skipped, another process is running it (pid %s)\n", who.c_str(), cell.id().c_str(),
                        cell_lock_holder(cell).c_str());
            ++skipped;
            continue;
        }
        std::printf("%s%s: %s (log: %s/cell.log)\n", who.c_str(), cell.id().c_str(),
                    state == CellState::Resumable ? "resuming" : "starting", cell.folder.c_str());
        std::fflush(stdout);
        CellOutcome outcome;
        ++ran;
        try {
            outcome = run_cell(cell, o);
        } catch (const std::exception& e) {  // the cell could not even start
            if (!cell_lock_holder(cell).empty()) {  // another process claimed it a moment ago
                std::printf("%s%s: skipped, %s\n", who.c_str(), cell.id().c_str(), e.what());
                ++skipped;
                continue;
            }
            std::printf("%s%s: %s\n", who.c_str(), cell.id().c_str(), e.what());
            outcome.exit_code = 1;
            outcome.log = cell.folder + "/cell.log";
        }
        double eta = 0;
        for (size_t m = n + 1; m < mine.size(); ++m) eta += estimate_cell(cells[mine[m]], cells, o).seconds;
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (outcome.exit_code == 0 && cell_state(cell) == CellState::Done) {
            ++finished;
            std::printf("%s[%d/%zu] %s: done in %s%s — %s | elapsed %s, ETA %s\n", who.c_str(), finished + failed + skipped,
                        mine.size(), cell.id().c_str(), format_duration(outcome.seconds).c_str(),
                        outcome.resumed ? " (resumed)" : "", cell_summary_line(cell).c_str(),
                        format_duration(elapsed).c_str(), format_duration(eta).c_str());
        } else {
            ++failed;
            std::printf("%s[%d/%zu] %s: FAILED (exit %d) after %s: %s (all of it in %s) | elapsed %s, ETA %s\n",
                        who.c_str(), finished + failed + skipped, mine.size(), cell.id().c_str(), outcome.exit_code,
                        format_duration(outcome.seconds).c_str(), last_error_in(outcome.log).c_str(),
                        outcome.log.c_str(), format_duration(elapsed).c_str(), format_duration(eta).c_str());
        }
        std::fflush(stdout);
        if (root) aggregate(o.out);
        else group.report_cell_finished();
    }
    group.finish([&] { aggregate(o.out); });
    // After the last cell of this process the aggregate is current already; otherwise (nothing ran
    // here, or other ranks' cells finished last) render it once more.
    if (root && (ran == 0 || group.size() > 1)) aggregate(o.out);
    std::printf("%sgrid: %d of %zu cells done, %d failed, %d left to another process, in %s\n", who.c_str(), finished,
                mine.size(), failed, skipped,
                format_duration(std::chrono::duration<double>(Clock::now() - start).count()).c_str());
    return failed > 0 ? 1 : 0;
}

}  // namespace probenet::experiments
