// RowGather: rows of consecutive samples gathered until a probe's rows_per_predict() (probe/probe.h)
// are there, so that a probe pays its per-call costs (MASC packs its whole basis once per GEMM) per
// gathered block rather than per forward batch. The probe run's pass 2 and its retrain labelling
// (probe/probe_run.h) both predict through one per layer. Rows are row-major (m, d) float32.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/error.h"

namespace probenet::probe {

// on_rows(rows, m, first) hears rows (m, d) of samples [first, first + m).
struct RowGather {
    std::vector<float> pending;  // gathered rows (m, d), samples [first, first + m)
    int64_t first = 0;

    // Rows [begin, begin + n) of one forward batch, (n, d): passed on at once, or gathered until
    // `want` rows are pending.
    template <typename OnRows>
    void add(const float* rows, int64_t n, int64_t d, int64_t begin, int64_t want, const OnRows& on_rows) {
        if (pending.empty() && n >= want) {
            on_rows(rows, n, begin);
            return;
        }
        if (pending.empty()) first = begin;
        PROBENET_CHECK(begin == first + static_cast<int64_t>(pending.size()) / d, "probe: rows of samples from ",
                       begin, " arrived while samples from ", first, " were gathered; batches must come in order");
        pending.insert(pending.end(), rows, rows + n * d);
        if (static_cast<int64_t>(pending.size()) / d >= want) flush(d, on_rows);
    }
    // Passes on the gathered rows (the end of a pass).
    template <typename OnRows>
    void flush(int64_t d, const OnRows& on_rows) {
        if (pending.empty()) return;
        on_rows(pending.data(), static_cast<int64_t>(pending.size()) / d, first);
        pending.clear();
    }
};

}  // namespace probenet::probe
