// The grid's aggregate in <out>/paper/, rewritten from the finished cells on disk: table1.csv and
// table1.md (experiments/grid/table1.h), and per pair figure2_<pair>.svg (experiments/grid/figure2.h)
// with a PNG beside it when rsvg-convert (Debian librsvg2-bin) is on PATH — when it is not, the result
// says so, it is never silent.
//
// Safe to call from several processes at once (job-array tasks) and to kill at any moment: an
// exclusive flock on <out>/paper/aggregate.lock is held from reading the cells to the last rename, so
// the last writer always has the latest view, and every file is written to a temporary name and
// renamed over the old one (experiments/common/atomic_file.h), so a reader sees the old or the new
// file, never a half-written one.
#pragma once

#include <string>
#include <vector>

namespace probenet::experiments {

struct AggregateResult {
    int cells = 0;                      // finished cells found
    std::vector<std::string> written;   // the files written
    std::vector<std::string> notes;     // unreadable summaries, a missing PNG converter
};

AggregateResult write_paper_aggregate(const std::string& out);

}  // namespace probenet::experiments
