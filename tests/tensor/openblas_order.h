// OpenBLAS's summation order for one element of C = beta·C + Σ_k a[k]·b[k], as its SkylakeX / Cooperlake
// SGEMM kernels sum it: K in blocks of 448 (a remainder between 448 and 896 in two halves rounded up to
// 16), each block one FMA chain from zero, then added into C. The reference for probenet's small-batch
// kernels (tensor/cpu/cpu_small_batch_gemm.cpp), which keep that order bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

inline float openblas_order(const float* a, int64_t sa, const float* b, int64_t sb, int64_t K, float beta, float c0) {
    float c = beta == 0.0f ? 0.0f : beta * c0;
    for (int64_t k0 = 0, kb; k0 < K; k0 += kb) {
        const int64_t rest = K - k0;
        kb = rest >= 896 ? 448 : rest > 448 ? (rest / 2 + 15) / 16 * 16 : rest;
        float acc = 0.0f;
        for (int64_t k = k0; k < k0 + kb; ++k) acc = std::fma(a[k * sa], b[k * sb], acc);
        c = std::fma(1.0f, acc, c);
    }
    return c;
}
