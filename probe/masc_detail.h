// What MASC's two paths share (probe/masc.h), in one place so that both see the same bits: the
// argmax with its tie rule, the certificate test, fl(‖x‖²) summed in order, and the range where the
// bounds hold; and the float32 pass's buffers, complete wherever a Masc is made or destroyed.
// Internal to probe/masc.cpp and probe/masc_certified.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "probe/masc.h"
#include "tensor/cpu/amx_bf16x3_gemm.h"

namespace probenet::probe {

// The float32 pass's results for one block of rows, and the buffers of its float64 rescoring.
struct Masc::Block32 {
    // Room for `rows` rows; the buffers only grow, so a later call of the same size allocates nothing.
    void hold(int64_t rows, int64_t k_all, int64_t groups) {
        const auto at_least = [](auto& v, int64_t n) {
            if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
        };
        at_least(p, std::max<int64_t>(rows * k_all, 1));
        at_least(s_hat, rows * groups);
        at_least(w, rows * groups);
        at_least(b64, rows * groups);
        at_least(norms, rows);
        at_least(sure, rows);
    }
    void hold_segments(int64_t rows, int64_t segments) {
        if (sq.size() < static_cast<size_t>(rows * segments)) sq.resize(static_cast<size_t>(rows * segments));
        if (ab.size() < sq.size()) ab.resize(sq.size());
    }
    std::vector<float> p;                  // P̂ (b, k_all)
    std::vector<double> s_hat, w, b64;     // ŝ, W and B per (row, group) (b, S·K)
    std::vector<double> norms;             // ss = fl(‖x‖²) per row
    std::vector<uint8_t> sure;             // certified (or all-zero) rows
    std::vector<std::vector<double>> x64, p64;  // per thread: a group's rows widened (m, d), projections (m, k)
    cpu::AmxTiles split;                   // the span split for the AMX kernel
    std::vector<double> sq, ab, partials;  // AMX: Σp̂² and Σ|p̂| per (row, segment), the threads' shares
};

namespace masc_detail {

// The highest of v[0, K), ties to the lowest index.
inline int32_t argmax(const double* v, int32_t classes) {
    int32_t best = 0;
    for (int32_t c = 1; c < classes; ++c)
        if (v[c] > v[best]) best = c;  // strict: ties stay with the lower class
    return best;
}

// Whether v[t] − v[c] > (w[t] + w[c])·(1 + 2⁻²⁰) for every c ≠ t (false on NaN): the certificate
// of the header for scores v ± w, the slack covering the rounding of the bounds and of this test.
inline bool certified(const double* v, const double* w, int32_t t, int32_t classes) {
    for (int32_t c = 0; c < classes; ++c)
        if (c != t && !(v[t] - v[c] > (w[t] + w[c]) * (1.0 + 0x1p-20))) return false;
    return true;
}

// fl(‖x‖²) of a float32 row, summed in float64 in order: the one sum both paths use, so that they see
// the same value bit for bit.
template <typename T>
double squared_norm(const T* x, int64_t d) {
    double ss = 0.0;
    for (int64_t j = 0; j < d; ++j) ss += double(x[j]) * double(x[j]);
    return ss;
}

// squared_norm of rows [0, n) of x (n, d) into ss, four rows at a time: each row's sum keeps its
// order, but four chains of dependent adds run side by side instead of one (the float32 pass spent
// ~4 cycles per element waiting on the previous add).
inline void squared_norms(const float* x, int64_t n, int64_t d, double* ss) {
#pragma omp parallel for schedule(static) if (n * d >= (int64_t{1} << 16))
    for (int64_t i0 = 0; i0 < n; i0 += 4) {
        if (i0 + 4 > n) {
            for (int64_t i = i0; i < n; ++i) ss[i] = squared_norm(x + i * d, d);
            continue;
        }
        const float *x0 = x + i0 * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int64_t j = 0; j < d; ++j) {
            s0 += double(x0[j]) * double(x0[j]);
            s1 += double(x1[j]) * double(x1[j]);
            s2 += double(x2[j]) * double(x2[j]);
            s3 += double(x3[j]) * double(x3[j]);
        }
        ss[i0] = s0;
        ss[i0 + 1] = s1;
        ss[i0 + 2] = s2;
        ss[i0 + 3] = s3;
    }
}

// Whether the bounds hold for a row with ss = fl(‖x‖²): X in [2⁻⁶⁰, 2⁶⁰] (false for inf and NaN).
inline bool bounded(double ss) { return ss >= 0x1p-120 && ss <= 0x1p120; }

}  // namespace masc_detail

}  // namespace probenet::probe
