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
//           exactly once), 24 FMAs — the second 6 rows one cache line (16 k) behind the first 6, so
//           that rows 4 KB apart do not crowd one L1 set — and one prefetch of the next tile's rows
//           into L2 (nt_half_steps). The tile is transposed on
//           the way out. Threads split W's rows, each one range of tiles sized by the threads' measured
//           speeds (cpu_thread_shares.h).
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

#include "tensor/cpu/cpu_small_batch_tiles.h"
#include "tensor/cpu/cpu_thread_shares.h"

#include <omp.h>

namespace probenet::cpu {

namespace tiles {

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

// A scratch buffer of at least n floats, one per thread and per `which` ∈ [0, 5), kept between calls (a
// fresh 256 KB vector per call would be mapped and page-faulted every time).
float* scratch(int64_t n, int which) {
    thread_local std::vector<float> buffers[5];
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

}  // namespace tiles

namespace {

using namespace tiles;

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

// One step k for rows [R0, R1) of an NT tile: acc[r] += W[r, k]·(the panel's row k, 32 batch rows).
template <int R, int R0, int R1>
__attribute__((always_inline)) inline void nt_step(v16 (&acc)[R][2], int64_t k, const float* panel, const float* B,
                                                   int64_t ldb) {
    const v16 a0 = load16(panel + k * kPanel), a1 = load16(panel + k * kPanel + 16);
#pragma GCC unroll 12
    for (int r = R0; r < R1; ++r) {
        const v16 w = splat(B[r * ldb + k]);
        acc[r][0] = fma16(w, a0, acc[r][0]);
        acc[r][1] = fma16(w, a1, acc[r][1]);
    }
}

// Steps j ∈ [j0, j1) of an NT tile's K block whose R rows run as two halves, the second 16 values of k
// (one cache line of each row) behind the first: rows [0, R/2) take k = j when kFirst, rows [R/2, R)
// take k = j − 16 when kSecond. Each row still sums its k in order.
//
// Why: the tile reads its R rows of W side by side, each row's line serving 16 steps of k. W's rows
// lie 4·ldb bytes apart; at ldb = 1024 or 2048 that is a multiple of 4 KB, so the lines for one k all
// fall in the same set of a 32 KB, 8-way L1, and 12 of them do not fit: each was evicted and fetched
// again from L2 before its 16 uses were done. Two halves one line apart put 6 in each of two sets.
// Measured at 1 thread on a Zen 4 EPYC, y = x·Wᵀ 32 × 2048 × 2048: 69–70 → 85–92 GFLOP/s (2 threads
// 137 → 180); at ldb = 512 or 784, where no rows share a set, the same speed as the plain loop.
//
// Each step also prefetches one line of the next tile's rows into L2: at step j, row R + j mod 16 at the
// line holding k = j − j mod 16, so every 16 steps cover the next 12 rows' lines at the k the current
// tile has reached (and 4 rows of the tile after; prefetches past W's end are harmless). In a training
// step W comes from memory, and the rows' streams are too short for the hardware prefetchers to ramp up:
// at K = 512 a row is 32 lines. Interleaved A/B, MLP step at 1 thread: forward −0.19 to −0.32 ms
// (−5 to −8 %), the 512 → 2048 layer's product 803 → 710 µs; 2 threads: forward −0.13 to −0.15 ms. Two
// tiles ahead: no better.
template <int R, bool kFirst, bool kSecond>
__attribute__((always_inline)) inline void nt_half_steps(v16 (&acc)[R][2], int64_t j0, int64_t j1, const float* panel,
                                                         const float* B, int64_t ldb) {
    for (int64_t j = j0; j < j1; ++j) {
        __builtin_prefetch(B + (R + (j & 15)) * ldb + (j & ~int64_t{15}), 0, 2);
        if constexpr (kFirst) nt_step<R, 0, R / 2>(acc, j, panel, B, ldb);
        if constexpr (kSecond) nt_step<R, R / 2, R>(acc, j - 16, panel, B, ldb);
    }
}

// Rows [n0, n0 + R) of Cᵀ = B·Aᵀ for one ≤ 32-row panel of A (panel (K, 32), column i = A's row i):
// C[i, n0 + r] for i < m. Full tiles (R = kNtRows) run as two staggered halves (nt_half_steps).
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
        if (R == kNtRows && kb >= 16) {
            nt_half_steps<R, true, false>(acc, k0, k0 + 16, panel, B, ldb);  // the first half alone
            nt_half_steps<R, true, true>(acc, k0 + 16, k0 + kb, panel, B, ldb);
            nt_half_steps<R, false, true>(acc, k0 + kb, k0 + kb + 16, panel, B, ldb);  // the second alone
        } else {
            for (int64_t k = k0; k < k0 + kb; ++k) nt_step<R, 0, R>(acc, k, panel, B, ldb);
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
        // Each thread one range of tiles, sized by the threads' speeds on this shape (cpu_thread_shares.h;
        // against equal ranges, interleaved at 2 threads: the MLP step 0.2–5.8 % faster).
        SplitRun split(small_batch_nt_split_key(m, N, K), parallel ? omp_get_max_threads() : 1, tiles, 1);
#pragma omp parallel if (parallel)
        {
            transpose_panel(m, kPanel, K, A + m0 * lda, lda, panel);  // zeros past m (a short last batch)
            const int me = omp_get_thread_num();
            const auto [t0, t1] = split.begin(omp_get_num_threads(), me);
            for (int64_t t = t0; t < t1; ++t) {
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
            split.end(me);
        }
    }
}

}  // namespace

uint64_t small_batch_nt_split_key(int64_t M, int64_t N, int64_t K) {
    return ((static_cast<uint64_t>(N) * 1000003u + static_cast<uint64_t>(K)) * 67u + static_cast<uint64_t>(M)) ^
           0x9e3779b97f4a7c15u;  // apart from the linear backward's keys
}

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

}  // namespace probenet::cpu
