// The register tiles shared by the small-batch products (cpu_small_batch_gemm.cpp) and the linear
// layer's fused backward (cpu_linear_backward.cpp): OpenBLAS's K blocks, the 8 × 48 broadcast tile
// and its helpers. The tile shapes and the summation order are described in cpu_small_batch_gemm.cpp.
// Internal to tensor/cpu.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu::tiles {

using simd::load16;
using simd::splat;
using simd::store16;
using simd::v16;

constexpr int kTileRows = 8, kTileVecs = 3, kTileCols = 16 * kTileVecs;  // NN / TN
constexpr int kNtRows = 12, kPanel = 32;                                    // NT
// Software prefetch of B's rows in the NN/TN k loop: B's rows are far apart (a 48-column strip of W
// touches a new 8 KB row per k), which the hardware prefetchers do not follow. Measured on the
// 32×2048×2048 input gradient (bench/small_batch_gemm_bench): 4.4 ms without, 3.1 ms with these.
constexpr int64_t kAheadL1 = 4, kAheadL2 = 32;

constexpr int64_t kBlockK = 448, kUnrollK = 16;

// The length of the next K block when `remaining` values of k are left (OpenBLAS's rule).
inline int64_t next_k_block(int64_t remaining) {
    if (remaining >= 2 * kBlockK) return kBlockK;
    if (remaining > kBlockK) return (remaining / 2 + kUnrollK - 1) / kUnrollK * kUnrollK;
    return remaining;
}

// a·b + c rounded once, lane by lane.
inline v16 fma16(v16 a, v16 b, v16 c) {
#ifdef __AVX512F__
    return (v16)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#else
    v16 r;
    for (int j = 0; j < 16; ++j) r[j] = std::fma(a[j], b[j], c[j]);
    return r;
#endif
}

// The first n ∈ [1, 16] floats at p (zeros after them), and the store of a vector's first n lanes.
inline v16 load_first(const float* p, int n) {
#ifdef __AVX512F__
    return (v16)_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
#else
    v16 v{};
    std::memcpy(&v, p, sizeof(float) * static_cast<size_t>(n));
    return v;
#endif
}
inline void store_first(float* p, v16 v, int n) {
#ifdef __AVX512F__
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
#else
    std::memcpy(p, &v, sizeof(float) * static_cast<size_t>(n));
#endif
}

// Adds one K block's sums into out[0, n): out = alpha·acc + (first ? beta·out : out), one FMA. Before
// the first block C counts as beta·C: 0 for beta 0 (not read, so whatever it held, even NaN).
inline void add_block(float* out, v16 acc, int n, float alpha, float beta, bool first) {
    v16 start{};
    if (!first || beta != 0.0f) {
        start = n == 16 ? load16(out) : load_first(out, n);
        if (first && beta != 1.0f) start *= splat(beta);
    }
    const v16 sum = fma16(splat(alpha), acc, start);
    if (n == 16) store16(out, sum);
    else store_first(out, sum, n);
}

// The register tile's inner loop: acc[i][v] = fma(A[k·lda + i], B[k, 16v …], acc[i][v]) for k in [0, K),
// K ≥ 1, in order; the last of the V vectors holds `last` ∈ [1, 16] columns. A do-while: as a loop that
// may run zero times, GCC 12 kept the tile in memory around it (see tile_continue). kPrefetch: issue the
// software prefetches below (off where B's rows are already in cache).
template <int I, int V, bool kPrefetch = true>
inline void fma_rows(v16 (&acc)[I][V], int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, int last,
                     const float* next = nullptr) {
    int64_t k = 0;
    do {
        const float* b = B + k * ldb;
        if constexpr (kPrefetch) {
            if (next)  // the same rows of the next strip, into L2 (the hardware does not follow rows 4·ldb bytes apart)
                for (int v = 0; v < V; ++v) __builtin_prefetch(next + k * ldb + 16 * v, 0, 2);
            if (k + kAheadL1 < K)
                for (int v = 0; v < V; ++v) __builtin_prefetch(b + kAheadL1 * ldb + 16 * v);
            if (k + kAheadL2 < K)
                for (int v = 0; v < V; ++v) __builtin_prefetch(b + kAheadL2 * ldb + 16 * v, 0, 2);
        }
        v16 bv[V];
        for (int v = 0; v + 1 < V; ++v) bv[v] = load16(b + 16 * v);
        bv[V - 1] = last == 16 ? load16(b + 16 * (V - 1)) : load_first(b + 16 * (V - 1), last);
        for (int i = 0; i < I; ++i) {
            const v16 a = splat(A[k * lda + i]);
            for (int v = 0; v < V; ++v) acc[i][v] = fma16(a, bv[v], acc[i][v]);
        }
    } while (++k < K);
}

// acc = Σ_k A(k, i)·B[k, 16v …] from zero, k in order — fma_rows without its prefetch, for short K.
template <int I, int V>
__attribute__((always_inline)) inline void sum_from_zero(v16 (&acc)[I][V], int64_t K, const float* A, int64_t lda,
                                                         const float* B, int64_t ldb) {
#pragma GCC unroll 8
    for (int i = 0; i < I; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) acc[i][v] = v16{};
    for (int64_t k = 0; k < K; ++k) {
        v16 b[V];
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) b[v] = load16(B + k * ldb + 16 * v);
#pragma GCC unroll 8
        for (int i = 0; i < I; ++i) {
            const v16 a = splat(A[k * lda + i]);
#pragma GCC unroll 4
            for (int v = 0; v < V; ++v) acc[i][v] = fma16(a, b[v], acc[i][v]);
        }
    }
}

// C (I × 16V tile) = Aᵀ·B over K ≤ kBlockK from zero, stored as summed. Kept out of line: inlined into
// its callers, GCC spilled the tile to the stack.
template <int I, int V>
__attribute__((noinline)) void tile_one_block(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                                              float* C, int64_t ldc) {
    v16 acc[I][V];
    sum_from_zero(acc, K, A, lda, B, ldb);
#pragma GCC unroll 8
    for (int i = 0; i < I; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) store16(C + i * ldc + 16 * v, acc[i][v]);
}

// One I × 16V tile of C = Aᵀ·B, Aᵀ(i, k) = A[k·lda + i], K block by K block.
template <int I, int V>
void tile_broadcast_a(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, int last, float alpha,
                      float beta, float* C, int64_t ldc) {
    if (K <= kBlockK && alpha == 1.0f && beta == 0.0f && last == 16) {
        // One K block added into a C that counts as 0: fma(1, sum, +0) is the sum itself (a chain of
        // FMAs from +0 never yields −0), so the tile is stored as summed. The weight gradient (K = the
        // batch) takes this path; the general epilogue below cost it ~13 % (it spills the tile).
        tile_one_block<I, V>(K, A, lda, B, ldb, C, ldc);
        return;
    }
    for (int64_t k0 = 0, kb; k0 < K; k0 += kb) {
        kb = next_k_block(K - k0);
        v16 acc[I][V] = {};
        fma_rows(acc, kb, A + k0 * lda, lda, B + k0 * ldb, ldb, last);
        for (int i = 0; i < I; ++i)
            for (int v = 0; v < V; ++v)
                add_block(C + i * ldc + 16 * v, acc[i][v], v + 1 < V ? 16 : last, alpha, beta, k0 == 0);
    }
}

// Rows [0, rows) of one column strip [0, width) of C = Aᵀ·B (K ≤ kBlockK or not), width ≤ kTileCols.
void strip_broadcast_a(int64_t rows, int64_t width, int64_t K, const float* A, int64_t lda, const float* B,
                       int64_t ldb, float alpha, float beta, float* C, int64_t ldc);

// A scratch buffer of at least n floats, one per thread and per `which` ∈ [0, 5), kept between calls.
float* scratch(int64_t n, int which);

// A few rows of A transposed into a (cols, width) panel, and the rows of A (M, K) into (K, 8) panels;
// work-shared over the enclosing parallel region (see the definitions).
void transpose_panel(int64_t rows, int64_t width, int64_t cols, const float* A, int64_t lda, float* out);
void transpose_tiles(int64_t M, int64_t K, const float* A, int64_t lda, float* out);

}  // namespace probenet::cpu::tiles
