// MASC's float32 pass (probe/masc.h, MascPrecision::Float32Certified): per span of rows the
// screening GEMM (sgemm, or the AMX bf16×3 kernel), the bounds W and B per row and class, the
// certificate, and the float64 rescoring of the rows it leaves open, down to rerunning the float64
// path's own block for a tie within that path's rounding. The header derives every bound used here.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "probe/masc.h"
#include "probe/masc_detail.h"
#include "tensor/error.h"

namespace probenet::probe {

using namespace masc_detail;

void Masc::bound_row(const float* p, const double* squares, const double* abs_sums, double ss, double* s_hat,
                     double* w, double* b64) const {
    const double x = std::sqrt(ss) * (1.0 + gamma_);  // X ≥ ‖x‖
    const double e = e_per_x_ * x + e_abs_, f = f_per_x_ * x + f_abs_, delta = e + f;
    for (size_t g = 0; g < begin_.size(); ++g) {
        double sum = 0.0, abs = 0.0;  // Σ̂ and A, in any order (the bounds hold for every order)
        if (p) {
#pragma omp simd reduction(+ : sum, abs)
            for (int64_t j = begin_[g]; j < end_[g]; ++j) {
                const double v = p[j];
                sum += v * v;
                abs += std::fabs(v);
            }
        } else {  // summed already, per segment, by the AMX kernel
            sum = squares[segment_of_[g]];
            abs = abs_sums[segment_of_[g]];
        }
        const double k = static_cast<double>(end_[g] - begin_[g]);
        const double m = sum * (1.0 + 2.0 * gamma_) + delta * (2.0 * abs + k * delta);
        double bound32 = e * (2.0 * abs + k * e) + 2.0 * gamma_ * sum;
        double bound64 = f * (2.0 * (abs + k * e) + k * f) + gamma_ * m + 2.0 * k * 0x1p-1022;
        if (complement_[g]) {
            const double c = 2.0 * gamma_ * ss + 0x1p-53 * (ss + 2.0 * m);
            bound32 += c;
            bound64 += c;
        }
        s_hat[g] = complement_[g] ? ss - sum : sum;
        w[g] = bound32 + bound64;
        b64[g] = bound64;
    }
}


MascCounts Masc::predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const {
    PROBENET_CHECK(n >= 0 && (n == 0 || rows != nullptr), "Masc::predict(layer ", layer_, "): ", n,
                   " rows with a null pointer");
    PROBENET_CHECK(static_cast<int32_t>(predictions.size()) == num_sets_, "Masc::predict(layer ", layer_, "): got ",
                   predictions.size(), " prediction arrays for ", num_sets_, " subspace sets");
    MascCounts counts;
    if (precision_ == MascPrecision::Float64) {
        counts.zero_rows = predict_float64(rows, n, predictions);
        return counts;
    }
    if (n == 0) return counts;
    // The float64 path's blocks, so that a block it must rerun (header) is one it would have run; the
    // float32 pass takes whole blocks a span at a time.
    const int64_t block = std::min(rows_per_block(), n);
    const int64_t span = std::min(span_rows(basis_rows(), block, amx_ != nullptr), n);
    const int64_t k_all = basis_rows(), groups = int64_t{num_sets_} * num_classes_;
    const int32_t K = num_classes_;
    const std::lock_guard<std::mutex> lock(block_mutex_);
    if (!block_) block_ = std::make_unique<Block32>();
    Block32& s = *block_;
    s.hold(span, amx_ ? 0 : k_all, groups);
    for (int64_t b0 = 0; b0 < n; b0 += span) {
        const int64_t b = std::min(span, n - b0);
        const float* x = rows + b0 * dim_;
        const int64_t segments = static_cast<int64_t>(segment_starts_.size()) - 1;
        if (k_all > 0 && amx_) {  // Σ_j p̂_j² and Σ_j |p̂_j| per class from three bf16 products, P̂ never stored
            s.hold_segments(b, segments);
            cpu::amx_bf16x3_segment_sums(x, b, *amx_, segment_starts_, s.sq.data(), s.ab.data(), s.split, s.partials);
        } else if (k_all > 0)  // P̂ (b, k_all) = X (b, d) · Ŵᵀ in float32
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(k_all),
                        static_cast<int>(dim_), 1.0f, x, static_cast<int>(dim_), basis32_.data(), static_cast<int>(dim_),
                        0.0f, s.p.data(), static_cast<int>(k_all));
        squared_norms(x, b, dim_, s.norms.data());  // as the float64 path sums them
        int64_t zero_rows = 0;
#pragma omp parallel for schedule(static) reduction(+ : zero_rows) if (b * (k_all + dim_) >= (int64_t{1} << 16))
        for (int64_t i = 0; i < b; ++i) {
            const double ss = s.norms[i];
            double* v = &s.s_hat[i * groups];
            double* w = &s.w[i * groups];
            if (ss == 0.0) {
                ++zero_rows;
                s.sure[i] = 1;
                for (int32_t set = 0; set < num_sets_; ++set)
                    predictions[set][b0 + i] = zero_row_prediction();
                continue;
            }
            s.sure[i] = bounded(ss);
            if (!s.sure[i]) continue;
            if (amx_)
                bound_row(nullptr, &s.sq[i * segments], &s.ab[i * segments], ss, v, w, &s.b64[i * groups]);
            else
                bound_row(&s.p[i * k_all], nullptr, nullptr, ss, v, w, &s.b64[i * groups]);
            for (int32_t set = 0; set < num_sets_ && s.sure[i]; ++set) {
                const int32_t t = argmax(v + set * K, K);
                s.sure[i] = certified(v + set * K, w + set * K, t, K);
                predictions[set][b0 + i] = t;  // final where certified in every set; rescore overwrites the others
            }
        }
        counts.zero_rows += zero_rows;
        rescore(x, b0, b, block, s, predictions, counts);
    }
    return counts;
}

void Masc::rescore(const float* x, int64_t b0, int64_t b, int64_t block, Block32& s,
                   std::span<int32_t* const> predictions, MascCounts& counts) const {
    const int64_t groups = int64_t{num_sets_} * num_classes_;
    const int32_t K = num_classes_;
    std::vector<int64_t> todo;  // the uncertified rows
    for (int64_t i = 0; i < b; ++i)
        if (!s.sure[i]) todo.push_back(i);
    if (todo.empty()) return;
    counts.rescored += static_cast<int64_t>(todo.size());

    // Each marked (row, group)'s score in float64 (any summation order: |v'' − s| ≤ B), one GEMM per
    // group over the rows that need it; it replaces (ŝ, W) by (v'', 2B), an interval holding the
    // float64 path's score v, since |v − v''| ≤ 2B.
    std::vector<uint8_t> need(todo.size() * static_cast<size_t>(groups), 0), done(need.size(), 0);
    // The groups run side by side, one DGEMM per thread (OpenBLAS single-threaded inside the loop):
    // each call has only the span's uncertified rows of one class (~85 at the memorized MLP's
    // FC(2048)), where a 2-thread DGEMM reaches 126 GFLOP/s here and two 1-thread ones 140.
    const int threads = omp_get_max_threads();
    if (s.x64.size() < static_cast<size_t>(threads)) s.x64.resize(static_cast<size_t>(threads));
    if (s.p64.size() < static_cast<size_t>(threads)) s.p64.resize(static_cast<size_t>(threads));
    std::vector<std::vector<int64_t>> at(static_cast<size_t>(groups));  // per group, indices into todo
    const auto rescore_needed = [&] {
        int64_t most_x = 0, most_p = 0;
        for (int64_t g = 0; g < groups; ++g) {
            at[g].clear();
            for (size_t a = 0; a < todo.size(); ++a)
                if (need[a * groups + g]) at[g].push_back(static_cast<int64_t>(a));
            const int64_t m = static_cast<int64_t>(at[g].size());
            most_x = std::max(most_x, m * dim_);
            most_p = std::max(most_p, m * (end_[g] - begin_[g]));
        }
        for (int t = 0; t < threads; ++t) {  // sized here, so the loop below allocates nothing
            if (s.x64[t].size() < static_cast<size_t>(most_x)) s.x64[t].resize(static_cast<size_t>(most_x));
            if (s.p64[t].size() < static_cast<size_t>(most_p)) s.p64[t].resize(static_cast<size_t>(most_p));
        }
#pragma omp parallel for schedule(dynamic, 1) if (most_x >= (int64_t{1} << 14))
        for (int64_t g = 0; g < groups; ++g) {
            const int64_t m = static_cast<int64_t>(at[g].size()), k = end_[g] - begin_[g];
            if (m == 0) continue;
            double* x64 = s.x64[omp_get_thread_num()].data();
            double* p64 = s.p64[omp_get_thread_num()].data();
            for (int64_t r = 0; r < m; ++r)
                std::copy(x + todo[at[g][r]] * dim_, x + (todo[at[g][r]] + 1) * dim_, x64 + r * dim_);
            if (k > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(k),
                            static_cast<int>(dim_), 1.0, x64, static_cast<int>(dim_), basis_.data() + begin_[g] * dim_,
                            static_cast<int>(dim_), 0.0, p64, static_cast<int>(k));
            for (int64_t r = 0; r < m; ++r) {  // distinct (row, group) entries per g: no two threads meet
                const int64_t i = todo[at[g][r]];
                double sum = 0.0;
                for (int64_t j = 0; j < k; ++j) sum += p64[r * k + j] * p64[r * k + j];
                s.s_hat[i * groups + g] = complement_[g] ? s.norms[i] - sum : sum;
                s.w[i * groups + g] = 2.0 * s.b64[i * groups + g];
                need[at[g][r] * groups + g] = 0;
                done[at[g][r] * groups + g] = 1;
            }
        }
    };
    // Two rounds. First the top class t of each set a row is not certified in: with its interval
    // shrunk to 2B, a class c whose float32 interval stays below it (ŝ_c + W_c < v''_t − 2B_t) needs
    // no float64 score, which halves the margin c must clear. Then the contenders that remain: the
    // classes whose interval still reaches the (new) top class's. Rows without bounds (X out of
    // range) get none and fail below.
    for (int round = 0; round < 2; ++round) {
        for (size_t a = 0; a < todo.size(); ++a) {
            const int64_t i = todo[a];
            if (!bounded(s.norms[i])) continue;
            for (int32_t set = 0; set < num_sets_; ++set) {
                const double* v = &s.s_hat[i * groups + set * K];
                const double* w = &s.w[i * groups + set * K];
                const int32_t t = argmax(v, K);
                if (certified(v, w, t, K)) continue;
                const size_t g0 = a * groups + static_cast<size_t>(set) * K;
                if (round == 0) {
                    need[g0 + t] = 1;
                    continue;
                }
                for (int32_t c = 0; c < K; ++c) need[g0 + c] = !done[g0 + c] && v[c] + w[c] >= v[t] - w[t];
            }
        }
        rescore_needed();
    }
    // Certified on the new intervals: the float64 path on the original block predicts the same. Else
    // that block (the float64 path's blocks start every `block` rows from the span's first) is rerun
    // by the float64 path itself.
    std::vector<int64_t> rerun;
    for (size_t a = 0; a < todo.size(); ++a) {
        const int64_t i = todo[a];
        bool sure = bounded(s.norms[i]);
        for (int32_t set = 0; set < num_sets_ && sure; ++set) {
            const double* v = &s.s_hat[i * groups + set * K];
            const int32_t t = argmax(v, K);
            sure = certified(v, &s.w[i * groups + set * K], t, K);
            predictions[set][b0 + i] = t;
        }
        if (!sure) rerun.push_back(i);
    }
    if (rerun.empty()) return;
    counts.reblocked += static_cast<int64_t>(rerun.size());
    std::vector<int32_t> all;
    std::vector<int32_t*> outs(static_cast<size_t>(num_sets_));
    int64_t first = -1, rows = 0;  // the block last rerun: rows [first, first + rows) of the span
    for (const int64_t i : rerun) {  // ascending, so each block is rerun once
        if (i >= first + rows) {
            first = i / block * block;
            rows = std::min(block, b - first);
            all.resize(static_cast<size_t>(num_sets_ * rows));
            for (int32_t set = 0; set < num_sets_; ++set) outs[set] = all.data() + set * rows;
            predict_float64(x + first * dim_, rows, outs);
        }
        for (int32_t set = 0; set < num_sets_; ++set) predictions[set][b0 + i] = outs[set][i - first];
    }
}

}  // namespace probenet::probe
