// Small-batch products of a linear layer (see the header for the three shapes), read-once kernels.
//
// Register tiles (v16 = 16 floats: one AVX-512 register under -march=native, tensor/cpu/cpu_simd.h):
//   NN, TN  C[i, n:n+48] = alpha·Σ_k A(i, k)·B[k, n:n+48] + beta·C for a tile of 8 rows × 3 vectors:
//           per k, 3 loads from B's row k, 8 broadcasts of A(i, k), 24 FMAs into 24 accumulators that
//           stay in registers for the whole k loop. NN reads A(i, k) at A[i·lda + k], TN at A[k·lda + i];
//           nothing else differs.
//           NN (dx = g·W, K = N_out): threads split C's columns; a 48-column strip of W (K × 48 floats,
//           384 KB at K = 2048) comes from memory for the first row tile and from L2 for the others.
//           TN (dW = gᵀ·x, K = batch): threads split C's rows; x (K × N floats) stays in L2.
//   NT      Cᵀ[n, i:i+32] = Σ_k B[n, k]·Aᵀ[k, i:i+32] for a tile of 12 rows of B (= W) × 32 batch
//           rows: A's rows (32 at a time) are first transposed into a (K, 32) panel that stays in L2;
//           per k, 2 panel loads, 12 broadcasts of W's elements (12 rows of W read side by side, each
//           exactly once), 24 FMAs. The tile is transposed on the way out. Threads split W's rows.
// Summation order — OpenBLAS's, so that training gives the same numbers bit for bit as with cblas_sgemm
// (and so as PyTorch on the same OpenBLAS: scripts/torch_same_init.sh). OpenBLAS's level-3 driver cuts
// K into blocks (kBlockK below; the last two blocks of a remainder between kBlockK and 2·kBlockK are
// halves rounded up to kUnrollK), its kernel sums each block in a register by fused multiply-adds from
// zero, k in order, and adds the block into C as C = alpha·block + C (one FMA), after C = beta·C. These
// kernels do exactly that per element. With OpenBLAS's SkylakeX kernels (SGEMM_Q = 448, unroll 16)
// the results are identical for every shape of the paper's MLP (tests/tensor/test_small_batch_gemm.cpp);
// with other kernels OpenBLAS sums in another order and the two differ by rounding. Either way no
// result depends on the thread count. Ragged column ends use masked loads and stores.
#include "tensor/cpu/cpu_small_batch_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "tensor/cpu/cpu_sgd_element.h"
#include "tensor/cpu/cpu_simd.h"

#include <omp.h>

namespace probenet::cpu {

namespace {

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
// in order; the last of the V vectors holds `last` ∈ [1, 16] columns.
template <int I, int V>
inline void fma_rows(v16 (&acc)[I][V], int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, int last,
                     const float* next = nullptr) {
    for (int64_t k = 0; k < K; ++k) {
        const float* b = B + k * ldb;
        if (next)  // the same rows of the next strip, into L2 (the hardware does not follow rows 4·ldb bytes apart)
            for (int v = 0; v < V; ++v) __builtin_prefetch(next + k * ldb + 16 * v, 0, 2);
        if (k + kAheadL2 < K)
            for (int v = 0; v < V; ++v) {
                __builtin_prefetch(b + kAheadL1 * ldb + 16 * v);
                __builtin_prefetch(b + kAheadL2 * ldb + 16 * v, 0, 2);
            }
        v16 bv[V];
        for (int v = 0; v + 1 < V; ++v) bv[v] = load16(b + 16 * v);
        bv[V - 1] = last == 16 ? load16(b + 16 * (V - 1)) : load_first(b + 16 * (V - 1), last);
        for (int i = 0; i < I; ++i) {
            const v16 a = splat(A[k * lda + i]);
            for (int v = 0; v < V; ++v) acc[i][v] = fma16(a, bv[v], acc[i][v]);
        }
    }
}

// C (I × 16V tile) = Aᵀ·B over K ≤ kBlockK from zero, stored as summed. Kept out of line: inlined into
// its callers, GCC spilled the tile to the stack.
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

// Rows [0, rows) of one column strip [0, width) of C = Aᵀ·B, width ≤ kTileCols: row tiles of 8, then 4,
// 2, 1.
void strip_broadcast_a(int64_t rows, int64_t width, int64_t K, const float* A, int64_t lda, const float* B,
                       int64_t ldb, float alpha, float beta, float* C, int64_t ldc) {
    auto run = [&]<int I>(int64_t i0) {
        const float* a = A + i0;
        float* c = C + i0 * ldc;
        if (width == kTileCols) {
            tile_broadcast_a<I, kTileVecs>(K, a, lda, B, ldb, 16, alpha, beta, c, ldc);
            return;
        }
        for (int64_t n = 0; n < width; n += 16)  // the ragged strip at the end, one vector at a time
            tile_broadcast_a<I, 1>(K, a, lda, B + n, ldb, static_cast<int>(std::min<int64_t>(16, width - n)),
                                            alpha, beta, c + n, ldc);
    };
    int64_t i = 0;
    for (; i + 8 <= rows; i += 8) run.template operator()<8>(i);
    if (i + 4 <= rows) run.template operator()<4>(i), i += 4;
    if (i + 2 <= rows) run.template operator()<2>(i), i += 2;
    if (i < rows) run.template operator()<1>(i);
}

// A scratch buffer of at least n floats, one per thread, kept between calls (a fresh 256 KB vector per
// call would be mapped and page-faulted every time).
float* scratch(int64_t n, int which) {
    thread_local std::vector<float> buffers[3];
    std::vector<float>& b = buffers[which];
    if (static_cast<int64_t>(b.size()) < n) b.resize(static_cast<size_t>(n));
    return b.data();
}

// out (cols, width): out[k·width + i] = A[i·lda + k] for i < rows, 0 for rows ≤ i < width — a few rows
// of A transposed into a panel. Work-shared over the threads of the enclosing parallel region (an
// orphaned `omp for`, with its barrier; serial outside one): done by one thread, these transposes
// left the other waiting (perf: a tenth of a 2-thread MLP step in libgomp's barrier).
void transpose_panel(int64_t rows, int64_t width, int64_t cols, const float* A, int64_t lda, float* out) {
#pragma omp for schedule(static)
    for (int64_t k0 = 0; k0 < cols; k0 += 64) {
        const int64_t k1 = std::min(cols, k0 + 64);
        for (int64_t i = 0; i < width; ++i)
            for (int64_t k = k0; k < k1; ++k) out[k * width + i] = i < rows ? A[i * lda + k] : 0.0f;
    }
}

// The rows of A (M, K) transposed tile by tile into (K, 8) panels, tile t (rows 8t … 8t+7, zeros past
// M) at out + t·8K: a tile then reads A(i, k) for its 8 rows from one sequential stream, 32 bytes per
// k, instead of 8 rows 4·K bytes apart. Work-shared like transpose_panel.
void transpose_tiles(int64_t M, int64_t K, const float* A, int64_t lda, float* out) {
    for (int64_t t = 0; t * kTileRows < M; ++t)
        transpose_panel(std::min<int64_t>(kTileRows, M - t * kTileRows), kTileRows, K, A + t * kTileRows * lda, lda,
                        out + t * K * kTileRows);
}

// C (M, N) = alpha·op(A)·B + beta·C with op(A) = A (NN) or Aᵀ (TN). NN first transposes its few rows of
// A (M × K, small) into (K, 8) panels (transpose_tiles).
// Threads split the column strips (NN: few rows) or the row tiles (TN: many rows).
void gemm_broadcast_a(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                      const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    const bool parallel = M * N * K >= (int64_t{1} << 17);
    if (!trans_a) {
        const int64_t tiles = (M + kTileRows - 1) / kTileRows;
        float* at = scratch(tiles * K * kTileRows, 0);  // tile t: its rows' Aᵀ (K, 8) at at + t·8K
        const int64_t strips = (N + kTileCols - 1) / kTileCols;
#pragma omp parallel if (parallel)
        {
            transpose_tiles(M, K, A, lda, at);
#pragma omp for schedule(static)
            for (int64_t s = 0; s < strips; ++s) {
                const int64_t n0 = s * kTileCols, width = std::min<int64_t>(kTileCols, N - n0);
                for (int64_t t = 0; t < tiles; ++t)
                    strip_broadcast_a(std::min<int64_t>(kTileRows, M - t * kTileRows), width, K, at + t * K * kTileRows,
                                      kTileRows, B + n0, ldb, alpha, beta, C + t * kTileRows * ldc + n0, ldc);
            }
        }
        return;
    }
    const int64_t row_tiles = (M + kTileRows - 1) / kTileRows;
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t t = 0; t < row_tiles; ++t) {
        const int64_t i0 = t * kTileRows, rows = std::min<int64_t>(kTileRows, M - i0);
        for (int64_t n0 = 0; n0 < N; n0 += kTileCols)
            strip_broadcast_a(rows, std::min<int64_t>(kTileCols, N - n0), K, A + i0, lda, B + n0, ldb, alpha, beta,
                              C + i0 * ldc + n0, ldc);
    }
}

// Rows [n0, n0 + R) of Cᵀ = B·Aᵀ for one ≤ 32-row panel of A (panel (K, 32), column i = A's row i):
// C[i, n0 + r] for i < m.
template <int R>
void tile_nt(int64_t K, const float* panel, const float* B, int64_t ldb, int64_t m, float alpha, float beta,
             float* C, int64_t ldc) {
    // Cᵀ's tile (R, 32) as it builds up block by block: starts as beta·Cᵀ, then += alpha·block.
    alignas(64) float run[R][kPanel] = {};
    if (beta != 0.0f)
        for (int64_t i = 0; i < m; ++i)
            for (int r = 0; r < R; ++r) run[r][i] = beta == 1.0f ? C[i * ldc + r] : beta * C[i * ldc + r];
    for (int64_t k0 = 0, kb; k0 < K; k0 += kb) {
        kb = next_k_block(K - k0);
        v16 acc[R][2] = {};
        for (int64_t k = k0; k < k0 + kb; ++k) {
            const v16 a0 = load16(panel + k * kPanel), a1 = load16(panel + k * kPanel + 16);
            for (int r = 0; r < R; ++r) {
                const v16 w = splat(B[r * ldb + k]);
                acc[r][0] = fma16(w, a0, acc[r][0]);
                acc[r][1] = fma16(w, a1, acc[r][1]);
            }
        }
        for (int r = 0; r < R; ++r)
            for (int h = 0; h < 2; ++h)
                store16(run[r] + 16 * h, fma16(splat(alpha), acc[r][h], load16(run[r] + 16 * h)));
    }
    for (int64_t i = 0; i < m; ++i)
        for (int r = 0; r < R; ++r) C[i * ldc + r] = run[r][i];
}

// C (M, N) = alpha·A·Bᵀ + beta·C, M ≤ kSmallBatch: 32 rows of A at a time.
void gemm_nt(int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda, const float* B, int64_t ldb,
             float beta, float* C, int64_t ldc) {
    float* panel = scratch(K * kPanel, 0);
    const int64_t tiles = (N + kNtRows - 1) / kNtRows;
    const bool parallel = M * N * K >= (int64_t{1} << 17);
    for (int64_t m0 = 0; m0 < M; m0 += kPanel) {
        const int64_t m = std::min<int64_t>(kPanel, M - m0);
        float* c = C + m0 * ldc;
#pragma omp parallel if (parallel)
        {
            transpose_panel(m, kPanel, K, A + m0 * lda, lda, panel);  // zeros past m (a short last batch)
#pragma omp for schedule(static)
            for (int64_t t = 0; t < tiles; ++t) {
                int64_t n = t * kNtRows;
                const int64_t end = std::min(N, n + kNtRows);
                auto run = [&]<int R>() {
                    tile_nt<R>(K, panel, B + n * ldb, ldb, m, alpha, beta, c + n, ldc);
                    n += R;
                };
                if (end - n == kNtRows) run.template operator()<kNtRows>();
                if (end - n >= 8) run.template operator()<8>();
                if (end - n >= 4) run.template operator()<4>();
                if (end - n >= 2) run.template operator()<2>();
                if (end - n >= 1) run.template operator()<1>();
            }
        }
    }
}

}  // namespace

bool small_batch_gemm_applies(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K) {
    if (M <= 0 || N <= 0 || K <= 0) return false;
    // NT (forward): from 64 rows of W on; below, transposing the batch costs more than the product.
    if (!trans_a && trans_b) return M <= kSmallBatch && N >= 64;
    if (!trans_a) return M <= kSmallBatch;  // NN (input gradient)
    return !trans_b && K <= kSmallBatch;    // TN (weight gradient)
}

void small_batch_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                      int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
    if (!trans_a && trans_b) return gemm_nt(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    gemm_broadcast_a(trans_a, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void small_batch_gemm_tn_rows(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                              int64_t ldb, const RowBlockConsumer& consume) {
    const int64_t row_tiles = (M + kTileRows - 1) / kTileRows;
#pragma omp parallel if (M * N * K >= (int64_t{1} << 17))
    {
        float* block = scratch(kTileRows * N, 1);
#pragma omp for schedule(static)
        for (int64_t t = 0; t < row_tiles; ++t) {
            const int64_t i0 = t * kTileRows, rows = std::min<int64_t>(kTileRows, M - i0);
            for (int64_t n0 = 0; n0 < N; n0 += kTileCols)
                strip_broadcast_a(rows, std::min<int64_t>(kTileCols, N - n0), K, A + i0, lda, B + n0, ldb,
                                        1.0f, 0.0f, block + n0, N);
            consume(i0, rows, block);
        }
    }
}

// --- the linear layer's backward with the weight update in one pass over W --------------------------

namespace {

// Continues, for an I × 16V tile of P (B rows, row stride ldp), the FMA chains P[i, c] += Σ_r g(i, r)·W[r, c]
// over `rows` rows of W, g(i, r) = gt[r·8 + i] (a (rows, 8) panel of gᵀ); `fresh` starts the chains at 0.
template <int I, int V>
void tile_continue(int64_t rows, const float* gt, const float* W, int64_t ldw, int last, bool fresh, float* P,
                   int64_t ldp, const float* next) {
    v16 acc[I][V];
    for (int i = 0; i < I; ++i)
        for (int v = 0; v < V; ++v) {
            const int n = v + 1 < V ? 16 : last;
            acc[i][v] = fresh ? v16{} : (n == 16 ? load16(P + i * ldp + 16 * v) : load_first(P + i * ldp + 16 * v, n));
        }
    fma_rows(acc, rows, gt, kTileRows, W, ldw, last, next);
    for (int i = 0; i < I; ++i)
        for (int v = 0; v < V; ++v) {
            const int n = v + 1 < V ? 16 : last;
            if (n == 16) store16(P + i * ldp + 16 * v, acc[i][v]);
            else store_first(P + i * ldp + 16 * v, acc[i][v], n);
        }
}

// The sums of dx for one column strip, width ≤ kTileCols, one (8, kTileCols) block per tile of 8 batch
// rows, the blocks one after another (kTileFloats per tile): a tile's sums are one contiguous 1.5 KB
// run, not 8 rows a whole row of dx apart — those fall in the same L1 sets, and the dx pass ran 13 %
// slower with them (the 2048 × 2048 layer's backward with its update, 1 thread).
constexpr int64_t kTileFloats = kTileRows * kTileCols;

// P (B, width) += g(:, rows)·W(rows, :) for one column strip; P: the strip's tile blocks (above); gt: the
// batch's panels (tile t of 8 batch rows at gt + t·8·N), already offset to the first of the rows.
void strip_continue(int64_t B, int64_t N, int64_t rows, int64_t width, const float* gt, const float* W, int64_t ldw,
                    bool fresh, float* P, const float* next) {
    for (int64_t t = 0; t * kTileRows < B; ++t) {
        // Tiles of 8 batch rows (the panel's zero rows pad a short last tile; its extra rows of P are scratch).
        const float* g = gt + t * N * kTileRows;
        float* p = P + t * kTileFloats;
        if (width == kTileCols) {
            tile_continue<kTileRows, kTileVecs>(rows, g, W, ldw, 16, fresh, p, kTileCols, t == 0 ? next : nullptr);
        } else {
            for (int64_t n = 0; n < width; n += 16)
                tile_continue<kTileRows, 1>(rows, g, W + n, ldw, static_cast<int>(std::min<int64_t>(16, width - n)),
                                            fresh, p + n, kTileCols, nullptr);
        }
    }
}

}  // namespace

// One tile of dW (8 rows × 16V columns, V whole vectors) summed as tile_one_block sums it — the same
// bits as the gradient `consume` would get — then SGD's step on those elements of W (p) and of the
// momentum (buf), both with row stride ld: the tile never leaves the registers, and the loads and
// stores of p and buf overlap the next tile's products.
template <int V, bool kDecay, bool kMomentum, bool kFirst, bool kNesterov>
__attribute__((noinline)) void tile_sgd(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* p,
                                        float* buf, int64_t ld, const SgdStep& s) {
    v16 acc[kTileRows][V];
    sum_from_zero(acc, K, A, lda, B, ldb);
#pragma GCC unroll 8
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) {
            float* pe = p + i * ld + 16 * v;
            v16 pv = load16(pe), bv = kMomentum ? load16(buf + i * ld + 16 * v) : v16{};
            sgd_element<kDecay, kMomentum, kFirst, kNesterov>(pv, acc[i][v], bv, s.lr, s.momentum, s.dampening,
                                                              s.weight_decay);
            store16(pe, pv);
            if constexpr (kMomentum) store16(buf + i * ld + 16 * v, bv);
        }
}

// The instance of tile_sgd for a step's options, chosen as Backend::sgd_update chooses its loop.
using TileSgd = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, float*, int64_t,
                         const SgdStep&);
template <int V, bool kDecay>
TileSgd tile_sgd_for(const SgdStep& s) {
    if (s.momentum == 0.0f) return tile_sgd<V, kDecay, false, false, false>;
    if (s.first) return s.nesterov ? tile_sgd<V, kDecay, true, true, true> : tile_sgd<V, kDecay, true, true, false>;
    return s.nesterov ? tile_sgd<V, kDecay, true, false, true> : tile_sgd<V, kDecay, true, false, false>;
}
template <int V>
TileSgd tile_sgd_for(const SgdStep& s) {
    return s.weight_decay != 0.0f ? tile_sgd_for<V, true>(s) : tile_sgd_for<V, false>(s);
}

// Rows of W per pass of dx's sums (each pass reloads and stores dx's partial sums, B × columns floats),
// then updated 8 at a time while they are still in L2.
constexpr int64_t kChunkRows = 32;

void small_batch_linear_backward(int64_t B, int64_t N, int64_t K, const float* g, const float* x, const float* W,
                                 float beta_dx, float* dx, const SegmentConsumer& consume, const SgdStep* step) {
    // update[V]: tile_sgd for tiles V vectors wide (a strip's last tile may be 1 or 2 vectors wide).
    const TileSgd update[kTileVecs + 1] = {nullptr, step ? tile_sgd_for<1>(*step) : nullptr,
                                           step ? tile_sgd_for<2>(*step) : nullptr,
                                           step ? tile_sgd_for<3>(*step) : nullptr};
    // Panels of gᵀ, 8 batch rows each (transpose_tiles): (N, 8) at gt + t·8N, zero-padded past B.
    const int64_t tiles = (B + kTileRows - 1) / kTileRows;
    float* gt = scratch(tiles * N * kTileRows, 0);
    // On one thread below 256 columns: the MLP's 128 → 512 layer (K = 128, 64 columns a thread) took
    // 100 µs on two threads and 61 on one.
#pragma omp parallel if (B * N * K >= (int64_t{1} << 17) && K >= 256)
    {
        transpose_tiles(B, N, g, N, gt);
        // This thread's columns: an even share in whole vectors of 16, taken in strips of kTileCols from
        // its first (the last strip may be narrower). Whole strips would be uneven: 5 and 6 of the 11 of a
        // 512-wide layer (240 and 272 columns) left one thread waiting for the other.
        const int threads = omp_get_num_threads(), me = omp_get_thread_num();
        const int64_t vectors = (K + 15) / 16;
        const int64_t c0 = 16 * (vectors * me / threads), c1 = std::min(K, 16 * (vectors * (me + 1) / threads));
        const int64_t cols = c1 - c0;
        if (cols > 0) {
            // dx's sums over the current K block, strip by strip (strip_continue): strip j at P + j·tiles·kTileFloats.
            float* P = scratch((cols + kTileCols - 1) / kTileCols * tiles * kTileFloats, 1);
            float* D = scratch(kTileRows * cols, 2);          // weight-gradient rows (8, cols)
            for (int64_t o0 = 0, kb; o0 < N; o0 += kb) {  // OpenBLAS's K blocks over W's rows
                kb = next_k_block(N - o0);
                for (int64_t o = o0; o < o0 + kb; o += kChunkRows) {
                    const int64_t rows = std::min<int64_t>(kChunkRows, o0 + kb - o);
                    // dx's sums over these rows of W, before they change …
                    for (int64_t c = c0; c < c1; c += kTileCols)
                        strip_continue(B, N, rows, std::min<int64_t>(kTileCols, c1 - c), gt + o * kTileRows, W + o * K + c,
                                       K, o == o0, P + (c - c0) / kTileCols * tiles * kTileFloats,
                                       c + 2 * kTileCols <= c1 ? W + o * K + c + kTileCols : nullptr);
                    // … then their gradient, dW(rows, cols) = g(:, rows)ᵀ·x(:, cols), 8 rows at a time, to the
                    // update: whole tiles straight to the SGD step, the rest (from column c) through D and consume.
                    for (int64_t q = o; q < o + rows; q += kTileRows) {
                        const int64_t sub = std::min<int64_t>(kTileRows, o + rows - q);
                        int64_t c = c0;
                        if (step && sub == kTileRows)
                            for (int64_t v; (v = std::min<int64_t>(kTileVecs, (c1 - c) / 16)) > 0; c += 16 * v)
                                update[v](B, g + q, N, x + c, K, step->param + q * K + c,
                                          step->momentum_buf ? step->momentum_buf + q * K + c : nullptr, K, *step);
                        if (c == c1) continue;
                        const int64_t rest = c1 - c;
                        for (int64_t cc = c; cc < c1; cc += kTileCols)
                            strip_broadcast_a(sub, std::min<int64_t>(kTileCols, c1 - cc), B, g + q, N, x + cc, K, 1.0f,
                                              0.0f, D + (cc - c), rest);
                        for (int64_t r = 0; r < sub; ++r) consume((q + r) * K + c, rest, D + r * rest);
                    }
                }
                // dx(:, cols) = block + (first block ? beta·dx : dx), OpenBLAS's step.
                for (int64_t i = 0; i < B; ++i)
                    for (int64_t c = 0; c < cols; c += 16) {
                        const int n = static_cast<int>(std::min<int64_t>(16, cols - c));
                        const float* sums = P + (c / kTileCols * tiles + i / kTileRows) * kTileFloats +
                                            i % kTileRows * kTileCols + c % kTileCols;
                        add_block(dx + i * K + c0 + c, load_first(sums, n), n, 1.0f, beta_dx, o0 == 0);
                    }
            }
        }
    }
}

}  // namespace probenet::cpu
