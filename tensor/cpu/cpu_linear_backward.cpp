// The linear layer's backward with its weight update, in one pass over W's rows (declared in
// cpu_small_batch_gemm.h). g (B, N), x (B, K), W (N, K), B ≤ kSmallBatch:
//   dx (B, K) = beta_dx·dx + g·W     from W's values before the update, summed in OpenBLAS's order (K
//                                    blocks of 448 over W's rows, see cpu_small_batch_gemm.cpp), and
//   dW (N, K) = gᵀ·x                 8 rows × 48 columns at a time, the batch (≤ 64) as K.
// Per chunk of 32 rows of W: the chunk's share of dx first (tile_continue: 8 batch rows × 48 columns in
// registers, the running sums between chunks in P, one 1.5 KB block per tile), then dW for those rows,
// each tile either updated in registers by the optimizer's SGD step (tile_sgd, SgdStep) or handed to
// `consume` in row segments (the ragged rest, and optimizers that do not spell out their step). The
// tiles read g and x from packed copies (gq, xs below), not in place.
// Threads split W's columns in whole 16-column vectors, each thread one range, sized by how fast each
// thread ran this layer's last calls (cpu_thread_shares.h); every element's sum is the same on any
// thread count and any split.
// The SGD tile writes W and the momentum either through the caches or around them (non-temporal
// stores), whichever this layer's recent calls ran faster (cpu_timed_choice.h); the values are the same.
// On this project's 2-core EPYC VM the faster one changes. Mostly it is the cached stores; but in
// stretches where the VM's write-backs slow down, the 2-thread step with cached stores takes about its
// 1-thread time. In-binary A/B, MLP at batch 32, steps alternating between stores forced cached, forced
// streamed, and chosen (median step):
//   2 threads, usual state      6.44–6.78 ms cached, 6.70–7.02 streamed, 6.45–6.80 chosen
//   2 threads, slow write-backs 12.1 ms cached, 7.5 streamed, 7.4 chosen
//   1 thread                    11.0–11.2 ms cached, 12.1–12.3 streamed, 11.0–11.2 chosen
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tensor/cpu/cpu_sgd_element.h"
#include "tensor/cpu/cpu_small_batch_gemm.h"
#include "tensor/cpu/cpu_small_batch_tiles.h"
#include "tensor/cpu/cpu_thread_shares.h"
#include "tensor/cpu/cpu_timed_choice.h"

namespace probenet::cpu {

namespace {

using namespace tiles;
using simd::fence;
using simd::stream16;

// Continues, for an I × 16V tile of P (B rows, row stride ldp), the FMA chains P[i, c] += Σ_r g(i, r)·W[r, c]
// over rows ≥ 1 rows of W, g(i, r) = gt[r·8 + i] (a (rows, 8) panel of gᵀ); `fresh` starts the chains at 0.
// kPrefetch: fetch W's rows ahead (fma_rows) — for the first tile of 8 batch rows only; the other tiles
// find the same rows in L2 (without the prefetches: MLP step 0–1.6 % faster at 1 and 2 threads).
// The tile stays in registers from P's load to its store, which takes care with GCC 12: `fresh` as a
// run-time choice of the starting values, or a k loop that may run zero times (fma_rows' do-while),
// made it keep the tile on the stack: two more stores and two more loads of all 24 vectors a call (the
// 2048 × 2048 layer's dx pass at 128 rows a call: MLP step 0.7–1.5 % faster without). Called with
// `last` a literal 16 wherever it can be: with a run-time `last`, GCC stored the accumulators to the
// stack after every k (the ragged strips of the 512- and 2048-wide layers; ~1 % of the step). Out of
// line, so that each instance is compiled alone.
template <int I, int V, bool kPrefetch, bool kFresh>
__attribute__((always_inline)) inline void tile_run(int64_t rows, const float* gt, const float* W, int64_t ldw, int last,
                                                    float* P, int64_t ldp, const float* next) {
    v16 acc[I][V];
    for (int i = 0; i < I; ++i)
        for (int v = 0; v < V; ++v) {
            const int n = v + 1 < V ? 16 : last;
            acc[i][v] = kFresh ? v16{} : (n == 16 ? load16(P + i * ldp + 16 * v) : load_first(P + i * ldp + 16 * v, n));
        }
    fma_rows<I, V, kPrefetch>(acc, rows, gt, kTileRows, W, ldw, last, next);
    for (int i = 0; i < I; ++i)
        for (int v = 0; v < V; ++v) {
            const int n = v + 1 < V ? 16 : last;
            if (n == 16) store16(P + i * ldp + 16 * v, acc[i][v]);
            else store_first(P + i * ldp + 16 * v, acc[i][v], n);
        }
}
template <int I, int V, bool kPrefetch>
__attribute__((noinline)) void tile_continue(int64_t rows, const float* gt, const float* W, int64_t ldw, int last,
                                             bool fresh, float* P, int64_t ldp, const float* next) {
    if (fresh) tile_run<I, V, kPrefetch, true>(rows, gt, W, ldw, last, P, ldp, next);
    else tile_run<I, V, kPrefetch, false>(rows, gt, W, ldw, last, P, ldp, next);
}
// The instance for batch tile t: prefetching for the first (t = 0) only.
template <int I, int V>
void tile_continue_at(int64_t t, int64_t rows, const float* gt, const float* W, int64_t ldw, int last, bool fresh,
                      float* P, int64_t ldp, const float* next) {
    if (t == 0) tile_continue<I, V, true>(rows, gt, W, ldw, last, fresh, P, ldp, next);
    else tile_continue<I, V, false>(rows, gt, W, ldw, last, fresh, P, ldp, nullptr);
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
            tile_continue_at<kTileRows, kTileVecs>(t, rows, g, W, ldw, 16, fresh, p, kTileCols, next);
        } else if (width == 32) {  // a thread's last strip: 16 or 32 columns when K is a multiple of 16
            tile_continue_at<kTileRows, 2>(t, rows, g, W, ldw, 16, fresh, p, kTileCols, nullptr);
        } else if (width == 16) {
            tile_continue_at<kTileRows, 1>(t, rows, g, W, ldw, 16, fresh, p, kTileCols, nullptr);
        } else {  // K not a multiple of 16: GCC keeps this loop's tiles on the stack (see tile_continue)
            for (int64_t n = 0; n < width; n += 16)
                tile_continue_at<kTileRows, 1>(t, rows, g, W + n, ldw, static_cast<int>(std::min<int64_t>(16, width - n)),
                                               fresh, p + n, kTileCols, nullptr);
        }
    }
}

// One tile of dW (8 rows × 16V columns, V whole vectors) summed as tile_one_block sums it — the same
// bits as the gradient `consume` would get — then SGD's step on those elements of W (p) and of the
// momentum (buf), both with row stride ld: the tile never leaves the registers, and the loads and
// stores of p and buf overlap the next tile's products. next_buf: the momentum of the tile the caller
// runs next, 8 rows × 48 columns, prefetched (unused without momentum). kDampening = false: dampening is 0
// (cpu_sgd_element.h). kStream: W and the momentum are written with non-temporal stores (p, buf and ld·4
// multiples of 64 bytes).
template <int V, bool kDecay, bool kMomentum, bool kFirst, bool kNesterov, bool kDampening, bool kStream>
__attribute__((noinline)) void tile_sgd(int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb, float* p,
                                        float* buf, int64_t ld, const SgdStep& s, const float* next_buf) {
    v16 acc[kTileRows][V];
    // The next tile's momentum into L2: a read prefetch (prefetcht1). The next tile is the same rows'
    // next 48 columns, or, after a group's last tile, the first 48 columns of the next 8 rows: pointing
    // that one past the row's end instead (as before) left the next group's first tile to the hardware,
    // which matters where rows are short (the 512-wide layer: 1 tile in 11). MLP step, interleaved A/B:
    // backward −0.08 to −0.15 ms at 1 thread. As a write prefetch (rw = 1) GCC emits prefetchw, which
    // on Zen 4 fills L1: the 24 lines, rows 8 KB apart, take all 8 ways of three L1 sets and evict what
    // the running tile reads there. With it the MLP step was 1-2 % slower at 1 thread and 1-4 % at 2
    // (interleaved, 300 steps a variant, 2 runs each).
    if constexpr (kMomentum)
        for (int i = 0; i < kTileRows; ++i)
            for (int v = 0; v < kTileVecs; ++v) __builtin_prefetch(next_buf + i * ld + 16 * v, 0, 2);
    sum_from_zero(acc, K, A, lda, B, ldb);
    // The step's constants in registers: read through `s` they were loaded again after every store
    // (p and buf might alias them).
    const float lr = s.lr, momentum = s.momentum, dampening = s.dampening, weight_decay = s.weight_decay;
#pragma GCC unroll 8
    for (int i = 0; i < kTileRows; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) {
            float* pe = p + i * ld + 16 * v;
            v16 pv = load16(pe), bv = kMomentum ? load16(buf + i * ld + 16 * v) : v16{};
            sgd_element<kDecay, kMomentum, kFirst, kNesterov, kDampening>(pv, acc[i][v], bv, lr, momentum, dampening,
                                                                          weight_decay);
            if constexpr (kStream) {
                stream16(pe, pv);
                if constexpr (kMomentum) stream16(buf + i * ld + 16 * v, bv);
            } else {
                store16(pe, pv);
                if constexpr (kMomentum) store16(buf + i * ld + 16 * v, bv);
            }
        }
}

// The instance of tile_sgd for a step's options, chosen as Backend::sgd_update chooses its loop.
using TileSgd = void (*)(int64_t, const float*, int64_t, const float*, int64_t, float*, float*, int64_t,
                         const SgdStep&, const float*);
template <int V, bool kDecay, bool kStream>
TileSgd tile_sgd_for(const SgdStep& s) {
    if (s.momentum == 0.0f) return tile_sgd<V, kDecay, false, false, false, false, kStream>;
    if (s.first)
        return s.nesterov ? tile_sgd<V, kDecay, true, true, true, false, kStream>
                          : tile_sgd<V, kDecay, true, true, false, false, kStream>;
    if (s.dampening != 0.0f)
        return s.nesterov ? tile_sgd<V, kDecay, true, false, true, true, kStream>
                          : tile_sgd<V, kDecay, true, false, false, true, kStream>;
    return s.nesterov ? tile_sgd<V, kDecay, true, false, true, false, kStream>
                      : tile_sgd<V, kDecay, true, false, false, false, kStream>;
}
template <int V>
TileSgd tile_sgd_for(const SgdStep& s, bool stream) {
    if (stream) return s.weight_decay != 0.0f ? tile_sgd_for<V, true, true>(s) : tile_sgd_for<V, false, true>(s);
    return s.weight_decay != 0.0f ? tile_sgd_for<V, true, false>(s) : tile_sgd_for<V, false, false>(s);
}

// Whether the SGD tiles may stream their stores: every vector they write starts on a 64-byte boundary.
bool can_stream(const SgdStep* step, int64_t K) {
    if (!step) return false;
    const auto address = reinterpret_cast<uintptr_t>(step->param) | reinterpret_cast<uintptr_t>(step->momentum_buf);
    return address % 64 == 0 && K % 16 == 0;
}

// Rows of W per pass of dx's sums (each pass reloads and stores dx's partial sums, B × columns floats),
// then updated 8 at a time while they are still in L2 or L3. Each call of tile_continue sums this many
// rows, so longer chunks spend less on the tile's load and store: on the Zen 4 EPYC at 1 thread, the
// MLP step went 32 → 64 rows −3 to −4 %, 64 → 128 a further −1.4 to −2 % (2 threads: −2 to −3 %, then
// ±2 %), a whole K block of 448 no better than 128 (interleaved A/B, 600 steps a variant, twice each).
constexpr int64_t kChunkRows = 128;

// The threads a call runs on: one below 256 columns (the MLP's 128 → 512 layer, K = 128, 64 columns a
// thread, took 100 µs on two threads and 61 on one) or for small products.
int linear_backward_team(int64_t B, int64_t N, int64_t K) {
    return B * N * K >= (int64_t{1} << 17) && K >= 256 ? omp_get_max_threads() : 1;
}

}  // namespace

uint64_t linear_backward_split_key(int64_t B, int64_t N, int64_t K) {
    return (static_cast<uint64_t>(N) * 1000003u + static_cast<uint64_t>(K)) * 67u + static_cast<uint64_t>(B);
}

uint64_t linear_backward_store_key(int64_t B, int64_t N, int64_t K) {
    return linear_backward_split_key(B, N, K) * 131u + static_cast<uint64_t>(linear_backward_team(B, N, K));
}

void small_batch_linear_backward(int64_t B, int64_t N, int64_t K, const float* g, const float* x, const float* W,
                                 float beta_dx, float* dx, const SegmentConsumer& consume, const SgdStep* step) {
    const int team = linear_backward_team(B, N, K);
    const bool parallel = team > 1;
    // Cached or streaming stores for the SGD tiles, timed (the whole call) and chosen per shape and team.
    const TimedPick stores(update_store_choice(), linear_backward_store_key(B, N, K), can_stream(step, K));
    const bool stream = stores.variant() == 1;
    // update[V]: tile_sgd for tiles V vectors wide (a strip's last tile may be 1 or 2 vectors wide).
    const TileSgd update[kTileVecs + 1] = {nullptr, step ? tile_sgd_for<1>(*step, stream) : nullptr,
                                           step ? tile_sgd_for<2>(*step, stream) : nullptr,
                                           step ? tile_sgd_for<3>(*step, stream) : nullptr};
    // Panels of gᵀ, 8 batch rows each (transpose_tiles): (N, 8) at gt + t·8N, zero-padded past B.
    const int64_t tiles = (B + kTileRows - 1) / kTileRows;
    float* gt = scratch(tiles * N * kTileRows, 0);
    // For tile_sgd, g and x are copied into contiguous blocks first: read in place, a tile's 32 values of
    // g (one per batch row, rows 4N bytes apart: 8 KB at N = 2048) fell in one L1 set, as did x's rows in
    // three, and were fetched again from L2 for every tile (MLP step at 1 thread: ~2 % faster packed).
    // gq: g's 8-row groups, group q/8 a (B, 8) block: gq[q·B + k·8 + i] = g[k, q + i].
    float* gq = step ? scratch(N * B, 3) : nullptr;
    SplitRun split(linear_backward_split_key(B, N, K), team, K, 16);
#pragma omp parallel if (parallel)
    {
        transpose_tiles(B, N, g, N, gt);
        if (step) {
#pragma omp for schedule(static)
            for (int64_t q = 0; q < N / kTileRows * kTileRows; q += kTileRows)
                for (int64_t k = 0; k < B; ++k)
                    for (int i = 0; i < kTileRows; ++i) gq[q * B + k * kTileRows + i] = g[k * N + q + i];
        }
        // This thread's columns: its share in whole vectors of 16, taken in strips of kTileCols from its
        // first (the last strip may be narrower). Whole strips would be uneven: 5 and 6 of the 11 of a
        // 512-wide layer (240 and 272 columns) left one thread waiting for the other.
        const int me = omp_get_thread_num();
        const auto [c0, c1] = split.begin(omp_get_num_threads(), me);
        const int64_t cols = c1 - c0;
        if (cols > 0) {
            // dx's sums over the current K block, strip by strip (strip_continue): strip j at P + j·tiles·kTileFloats.
            float* P = scratch((cols + kTileCols - 1) / kTileCols * tiles * kTileFloats, 1);
            float* D = scratch(kTileRows * cols, 2);          // weight-gradient rows (8, cols)
            // xs: this thread's columns of x by strips of kTileCols, strip j a (B, kTileCols) block at
            // xs + j·kTileCols·B (zeros past c1).
            float* xs = nullptr;
            if (step) {
                xs = scratch((cols + kTileCols - 1) / kTileCols * kTileCols * B, 4);
                for (int64_t j = 0; j * kTileCols < cols; ++j)
                    for (int64_t k = 0; k < B; ++k)
                        for (int64_t c = 0; c < kTileCols && j * kTileCols + c < cols; c += 16) {
                            const int n = static_cast<int>(std::min<int64_t>(16, cols - j * kTileCols - c));
                            store16(xs + j * kTileCols * B + k * kTileCols + c,
                                    load_first(x + k * K + c0 + j * kTileCols + c, n));
                        }
            }
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
                            for (int64_t v; (v = std::min<int64_t>(kTileVecs, (c1 - c) / 16)) > 0; c += 16 * v) {
                                float* m = step->momentum_buf;
                                float* buf = m ? m + q * K + c : nullptr;
                                // the next tile's momentum: these rows' next columns, or the next rows' first
                                const float* next = buf;
                                if (m && c + 16 * v + 16 <= c1) next = buf + 16 * v;
                                else if (m && q + 2 * kTileRows <= N) next = m + (q + kTileRows) * K + c0;
                                update[v](B, gq + q * B, kTileRows, xs + (c - c0) / kTileCols * kTileCols * B,
                                          kTileCols, step->param + q * K + c, buf, K, *step, next);
                            }
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
        if (stream) fence();  // the streamed W and momentum before the region's closing barrier
        split.end(me);
    }
}

}  // namespace probenet::cpu
