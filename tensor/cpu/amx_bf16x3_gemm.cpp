#include "tensor/cpu/amx_bf16x3_gemm.h"

#include <cpuid.h>
#include <immintrin.h>
#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <span>

#include "tensor/error.h"

// GCC 12's AVX-512 intrinsics (_mm512_cvtepu16_epi32, _mm512_reduce_add_pd, …) start from a
// self-initialised register that -Wmaybe-uninitialized flags once they are inlined here; the values
// are all defined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The kernels carry their own target, so the file builds (and the dispatch stays) without -march=native.
#define PROBENET_AMX_TARGET __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512vl,avx512bf16")))

namespace probenet::cpu {

namespace {

constexpr int64_t kChunk = 128;  // elements of d per tile accumulation (header)
constexpr int64_t kStep = 32;    // bf16 elements of d per tile
constexpr int64_t kTile = 512;   // bf16 per tile: 16 rows × 32
constexpr int64_t kRowGroup = 256;   // rows of X per pass over B (run_kernel)
constexpr int64_t kBlockSteps = 32;  // steps of d per block: a group's split rows of a block, 1 MB, stay in L2

struct alignas(64) TileConfig {
    uint8_t palette = 1, start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t bytes_per_row[16] = {};
    uint8_t rows[16] = {};
};

struct AmxState {
    bool usable = false;
    std::string status;
};

const AmxState& amx_state() {
    static const AmxState state = [] {
        AmxState s;
        if (const char* v = std::getenv("PROBENET_NO_AMX"); v && *v && std::strcmp(v, "0") != 0) {
            s.status = "AMX-BF16 off (PROBENET_NO_AMX)";
            return s;
        }
        unsigned a = 0, b = 0, c = 0, d = 0;
        const bool leaf0 = __get_cpuid_count(7, 0, &a, &b, &c, &d);
        const bool tile = leaf0 && (d >> 24 & 1u), bf16 = leaf0 && (d >> 22 & 1u);
        const bool leaf1 = __get_cpuid_count(7, 1, &a, &b, &c, &d);
        const bool avx512bf16 = leaf1 && (a >> 5 & 1u);
        if (!tile || !bf16 || !avx512bf16) {
            s.status = "no AMX-BF16 on this CPU";
            return s;
        }
        constexpr long kReqXcompPerm = 0x1023, kXtiledata = 18;  // Linux arch_prctl: ask for tile state
        if (syscall(SYS_arch_prctl, kReqXcompPerm, kXtiledata) != 0) {
            s.status = "AMX-BF16 present but the kernel refused tile state (arch_prctl)";
            return s;
        }
        s.usable = true;
        s.status = "AMX-BF16";
        return s;
    }();
    return state;
}

double gamma32(double n) { return n * 0x1p-24 / (1.0 - n * 0x1p-24); }

// bf16 of a float, rounded to nearest even (as VCVTNEPS2BF16; NaN is not expected here).
uint16_t to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0) u &= 0x80000000u;  // subnormal in, zero out (as the hardware reads it)
    u += 0x7fffu + ((u >> 16) & 1u);
    return static_cast<uint16_t>(u >> 16);
}

double from_bf16(uint16_t h) {
    const uint32_t u = uint32_t{h} << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Rows [r0, r1) of X (m, d) split into A's tiles: [32-row pair][32-wide step of d][x_h rows 0–15,
// x_h rows 16–31, x_l rows 0–15, x_l rows 16–31], each tile 16 rows × 32; rows past m and columns
// past d are zeros. One k-step's four tiles lie together, so a step reads one 4 KB run.
PROBENET_AMX_TARGET void split_rows(const float* x, int64_t m, int64_t d, int64_t d_pad, int64_t r0, int64_t r1,
                                    uint16_t* tiles) {
    const int64_t steps = d_pad / kStep;
    for (int64_t r = r0; r < r1; ++r) {
        const int64_t pair = r / 32, half = (r % 32) / 16, in_tile = r % 16;
        for (int64_t s = 0; s < steps; ++s) {
            uint16_t* oh = tiles + ((pair * steps + s) * 4 + half) * kTile + in_tile * 32;
            uint16_t* ol = oh + 2 * kTile;
            for (int part = 0; part < 2; ++part) {
                const int64_t k0 = s * kStep + part * 16;
                const int64_t valid = r < m ? std::clamp<int64_t>(d - k0, 0, 16) : 0;
                const __mmask16 mask = static_cast<__mmask16>((1u << valid) - 1u);
                const __m512 v = _mm512_maskz_loadu_ps(mask, x + r * d + k0);
                const __m256bh h = _mm512_cvtneps_pbh(v);
                const __m512 back = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32((__m256i)h), 16));
                const __m256bh l = _mm512_cvtneps_pbh(_mm512_sub_ps(v, back));
                _mm256_store_si256(reinterpret_cast<__m256i*>(oh + part * 16), (__m256i)h);
                _mm256_store_si256(reinterpret_cast<__m256i*>(ol + part * 16), (__m256i)l);
            }
        }
    }
}
// Tiles 4, 5 ← A's rows 0–15 and 16–31 at `a`; tiles 6, 7 ← B's columns 0–15 and 16–31 at `b`.
PROBENET_AMX_TARGET inline void load_a(const uint16_t* a) {
    _tile_loadd(4, a, 64);
    _tile_loadd(5, a + kTile, 64);
}
PROBENET_AMX_TARGET inline void load_b(const uint16_t* b) {
    _tile_loadd(6, b, 64);
    _tile_loadd(7, b + kTile, 64);
}
// Share `part` of `parts` of the `lines` cache lines at p, prefetched into L2.
inline void prefetch_share(const char* p, int64_t lines, int64_t part, int64_t parts) {
    const int64_t per = (lines + parts - 1) / parts, end = std::min(lines, (part + 1) * per);
    for (int64_t l = part * per; l < end; ++l) _mm_prefetch(p + 64 * l, _MM_HINT_T1);
}
// Tiles 0–3 (P's 2×2 block of 16×16) += tiles (4, 5) × tiles (6, 7).
PROBENET_AMX_TARGET inline void multiply_2x2() {
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
}

// acc (32, 32) += (or =) the four 16×16 tiles just stored in `tiles`.
PROBENET_AMX_TARGET void add_tiles(const float (*tiles)[16][16], float (*acc)[32], bool first) {
    for (int t = 0; t < 4; ++t)
        for (int i = 0; i < 16; ++i) {
            float* dst = &acc[(t / 2) * 16 + i][(t % 2) * 16];
            __m512 v = _mm512_load_ps(tiles[t][i]);
            if (!first) v = _mm512_add_ps(v, _mm512_load_ps(dst));
            _mm512_store_ps(dst, v);
        }
}

}  // namespace

bool amx_bf16_usable() { return amx_state().usable; }
std::string amx_bf16_status() { return amx_state().status; }

AmxBf16x3Bound amx_bf16x3_bound(int64_t d) {
    const double chunks = static_cast<double>((d + kChunk - 1) / kChunk);
    const double in_chunk = gamma32(3.0 * static_cast<double>(std::min(d, kChunk))), across = gamma32(chunks);
    const double acc = in_chunk + across + in_chunk * across;
    return {3.02 * 0x1p-16 + 1.02 * acc, 64.0 * 0x1p-126 * static_cast<double>(d)};
}

AmxBf16x3Weights::AmxBf16x3Weights(const double* w, int64_t n, int64_t d)
    : n_(n), d_(d), n_pad_((n + 31) / 32 * 32), d_pad_((d + kStep - 1) / kStep * kStep) {
    PROBENET_CHECK(n >= 0 && d >= 1 && (n == 0 || w != nullptr), "AmxBf16x3Weights: bad shape (", n, ", ", d, ")");
    tiles_.resize(static_cast<size_t>(2 * n_pad_ * d_pad_));  // every element written below
    const int64_t steps = d_pad_ / kStep;
    // B tiles in AMX's pair layout: element (pair q of d, column j) at [q][j][2]; per k-step of a column
    // pair the four tiles w_h (columns 0–15, 16–31), then w_l (the same). Zeros past n and d.
#pragma omp parallel for schedule(static)
    for (int64_t block = 0; block < n_pad_ / 32 * steps; ++block) {
        uint16_t* t = tiles_.data() + block * 4 * kTile;
        const int64_t c0 = block / steps * 32, k0 = block % steps * kStep;
        for (int64_t j = 0; j < 32; ++j)
            for (int64_t k = 0; k < kStep; ++k) {
                const int64_t c = c0 + j, at = (j / 16) * kTile + (k / 2) * 32 + (j % 16) * 2 + k % 2;
                const double v = c < n && k0 + k < d ? w[c * d + k0 + k] : 0.0;
                const uint16_t h = to_bf16(static_cast<float>(v));
                t[at] = h;
                t[at + 2 * kTile] = to_bf16(static_cast<float>(v - from_bf16(h)));
            }
    }
}

namespace {

// The kernel, for both entry points: after each 32-column pair of a row group is complete, in `acc`
// (row pairs, 32, 32), `epilogue.pair(g0, rows, cp, acc)` takes it (rows: those of the group below
// m), and `epilogue.group_done(g0, rows)` follows the last pair a thread has of that group. One
// epilogue per thread: make(thread, threads).
//
// Blocking. B (every column pair's w_h and w_l, 4 bytes per element: 113 MB at k_all = 13771,
// d = 2048) does not fit in cache, so it streams from L3 or memory once per row group, and that
// stream set the kernel's speed: a loop of these steps on tiles in L2 runs at ~3000 GFLOP/s bf16 on
// one core, the same loop streaming B at ~2300 even with the prefetch below. So a row group is
// kRowGroup = 256 rows (B read once per 256 rows, not 128), and d is taken in blocks of up to
// kBlockSteps·32 = 1024 so that the group's split rows of one block, 256·1024·4 bytes = 1 MB, stay in
// L2 while this thread's column pairs pass. A pair's sums over the blocks before the last wait in
// this thread's `partial` buffer (float32, as `acc` holds them: the same chunk sums added in the same
// order, so the result is the same to the bit as without blocks).
//
// One thread's share of run_kernel, called inside its parallel region: the region's body is outlined
// into a function of its own that does not carry the enclosing function's target attribute (clang),
// so without -march flags that include AMX the tile instructions must live in a function that does.
template <typename MakeEpilogue>
PROBENET_AMX_TARGET void run_kernel_thread(const float* x, int64_t m, int64_t d, int64_t d_pad, int64_t n_pad,
                                           const uint16_t* b, uint16_t* a, const MakeEpilogue& make) {
    const int64_t steps = d_pad / kStep, m_pad = (m + 31) / 32 * 32;
    const int64_t pairs = n_pad / 32;
    const int threads = omp_get_num_threads(), me = omp_get_thread_num();
    auto epilogue = make(me, threads);
    split_rows(x, m, d, d_pad, m_pad * me / threads, m_pad * (me + 1) / threads, a);
    // This thread's column pairs, the same in every row group and block.
    const int64_t cp_begin = pairs * me / threads, cp_end = pairs * (me + 1) / threads;
    const bool blocked = steps > kBlockSteps;
    // Sums of this thread's pairs over the blocks so far: (pair, row pair, 32, 32), kept by the
    // thread from call to call (grows only; every element is written before it is read).
    thread_local std::vector<float, CacheLineAllocator<float>> partial;
    if (blocked && partial.size() < static_cast<size_t>((cp_end - cp_begin) * kRowGroup * 32))
        partial.resize(static_cast<size_t>((cp_end - cp_begin) * kRowGroup * 32));
#pragma omp barrier
    TileConfig config;
    for (int t = 0; t < 8; ++t) {
        config.bytes_per_row[t] = 64;
        config.rows[t] = 16;
    }
    _tile_loadconfig(&config);
    // Tiles: 0–3 the 2×2 blocks of P (rows r, r+16 × columns c, c+16), 4–5 A, 6–7 B.
    alignas(64) float own_acc[kRowGroup / 32][32][32];
    alignas(64) float stored[2][4][16][16];
    int flip = 0;
    float (*acc)[32][32] = own_acc;
    float (*pending_acc)[32][32] = own_acc;  // where the pending tiles go
    int64_t pending = -1;  // the row pair whose stored tiles still wait to be added to pending_acc
    bool pending_first = false;
    const auto add_pending = [&] {
        if (pending >= 0) add_tiles(stored[flip ^ 1], pending_acc[pending], pending_first);
        pending = -1;
    };
    for (int64_t g0 = 0; g0 < m_pad; g0 += kRowGroup) {
        const int64_t row_pairs = std::min(kRowGroup, m_pad - g0) / 32;
        for (int64_t k0 = 0; k0 < steps; k0 += kBlockSteps) {
            const int64_t k1 = std::min(steps, k0 + kBlockSteps);
            for (int64_t cp = cp_begin; cp < cp_end; ++cp) {
                if (blocked) acc = reinterpret_cast<float (*)[32][32]>(partial.data() + (cp - cp_begin) * kRowGroup * 32);
                const uint16_t* bp = b + cp * steps * 4 * kTile;
                for (int64_t s0 = k0; s0 < k1; s0 += kChunk / kStep) {
                    const int64_t s1 = std::min(k1, s0 + kChunk / kStep);
                    const bool last = s1 == k1;
                    // B of the next chunk (or of the next column pair's first in this block) on its
                    // way to L2, spread over this chunk's steps: tile loads that miss L2 wait for
                    // each line in turn (measured: 1.6× → 2.2× sgemm's rate at k_all = 14000).
                    const int64_t next_cp = last ? cp + 1 : cp, next_s0 = last ? k0 : s1;
                    const char* next_b = next_cp < cp_end ? reinterpret_cast<const char*>(
                                                                b + (next_cp * steps + next_s0) * 4 * kTile)
                                                          : nullptr;
                    const int64_t next_lines =
                        next_b ? (std::min(k1, next_s0 + kChunk / kStep) - next_s0) * 4 * kTile * 2 / 64 : 0;
                    for (int64_t rp = 0; rp < row_pairs; ++rp) {
                        const uint16_t* ap = a + (g0 / 32 + rp) * steps * 4 * kTile;
                        _tile_zero(0);
                        _tile_zero(1);
                        _tile_zero(2);
                        _tile_zero(3);
                        for (int64_t s = s0; s < s1; ++s) {
                            const uint16_t* as = ap + s * 4 * kTile;  // x_h rows 0–15, 16–31, x_l the same
                            const uint16_t* bs = bp + s * 4 * kTile;  // w_h columns 0–15, 16–31, w_l the same
                            prefetch_share(next_b, next_lines, rp * (s1 - s0) + (s - s0), row_pairs * (s1 - s0));
                            // In this order a step loads 8 tiles (h·h first would take 10): 3–4 %
                            // faster at k_all = 13296.
                            load_a(as);  // x_h · w_l
                            load_b(bs + 2 * kTile);
                            multiply_2x2();
                            load_b(bs);  // x_h · w_h
                            multiply_2x2();
                            load_a(as + 2 * kTile);  // x_l · w_h
                            multiply_2x2();
                            if (s == s0) add_pending();  // the previous chunk's sums, while the tiles work
                        }
                        _tile_stored(0, stored[flip][0], 64);
                        _tile_stored(1, stored[flip][1], 64);
                        _tile_stored(2, stored[flip][2], 64);
                        _tile_stored(3, stored[flip][3], 64);
                        flip ^= 1;
                        pending = rp;
                        pending_acc = acc;
                        pending_first = s0 == 0;
                    }
                }
                if (k1 == steps) {
                    add_pending();
                    epilogue.pair(g0, std::min<int64_t>(m - g0, kRowGroup), cp, acc);
                }
            }
        }
        add_pending();
        epilogue.group_done(g0, std::min<int64_t>(m - g0, kRowGroup));
    }
    _tile_release();
}

template <typename MakeEpilogue>
void run_kernel(const float* x, int64_t m, int64_t d, int64_t d_pad, int64_t n_pad, const uint16_t* b,
                AmxTiles& rows_scratch, const MakeEpilogue& make) {
    const int64_t m_pad = (m + 31) / 32 * 32;
    if (rows_scratch.size() < static_cast<size_t>(2 * m_pad * d_pad))  // (grows only)
        rows_scratch.resize(static_cast<size_t>(2 * m_pad * d_pad));
    uint16_t* a = rows_scratch.data();
#pragma omp parallel
    run_kernel_thread(x, m, d, d_pad, n_pad, b, a, make);
}

// P's columns of each pair written out.
struct WriteP {
    float* p;
    int64_t ldp, n;
    PROBENET_AMX_TARGET void pair(int64_t g0, int64_t rows, int64_t cp, const float (*acc)[32][32]) const {
        const int64_t c0 = cp * 32, cols = std::min<int64_t>(32, n - c0);
        const __mmask16 m0 = static_cast<__mmask16>(cols >= 16 ? 0xffffu : (1u << cols) - 1u);
        const __mmask16 m1 =
            static_cast<__mmask16>(cols >= 32 ? 0xffffu : cols > 16 ? (1u << (cols - 16)) - 1u : 0u);
        for (int64_t i = 0; i < rows; ++i) {
            _mm512_mask_storeu_ps(p + (g0 + i) * ldp + c0, m0, _mm512_load_ps(&acc[i / 32][i % 32][0]));
            _mm512_mask_storeu_ps(p + (g0 + i) * ldp + c0 + 16, m1, _mm512_load_ps(&acc[i / 32][i % 32][16]));
        }
    }
    void group_done(int64_t, int64_t) const {}
};

// Per row and column segment, Σp̂² and Σ|p̂| in float64, into this thread's own (m, S) sums: each row
// keeps 8-lane accumulators while the thread's pairs stay in one segment, added to the sums when the
// segment ends, the pairs change segment, or the group's pairs end.
struct SegmentSums {
    std::span<const int64_t> starts;  // S + 1 column offsets
    int64_t segments = 0;
    double *squares = nullptr, *abs_sums = nullptr;  // this thread's (m, S) each
    int64_t segment = -1;                            // of the open accumulators; -1: none open
    alignas(64) double sq[kRowGroup][8], ab[kRowGroup][8];

    PROBENET_AMX_TARGET void close(int64_t g0, int64_t rows) {
        if (segment < 0) return;
        for (int64_t i = 0; i < rows; ++i) {
            squares[(g0 + i) * segments + segment] += _mm512_reduce_add_pd(_mm512_load_pd(sq[i]));
            abs_sums[(g0 + i) * segments + segment] += _mm512_reduce_add_pd(_mm512_load_pd(ab[i]));
        }
        segment = -1;
    }
    PROBENET_AMX_TARGET void pair(int64_t g0, int64_t rows, int64_t cp, const float (*acc)[32][32]) {
        const int64_t c0 = cp * 32, c_end = std::min<int64_t>(c0 + 32, starts[segments]);
        for (int64_t c = c0; c < c_end;) {
            // The piece [c, e) of this pair in segment s.
            int64_t s = segment >= 0 && c < starts[segment + 1] && c >= starts[segment] ? segment : -1;
            if (s < 0) s = std::upper_bound(starts.begin(), starts.end(), c) - starts.begin() - 1;
            const int64_t e = std::min(c_end, starts[s + 1]);
            if (s != segment) {
                close(g0, rows);
                segment = s;
                for (int64_t i = 0; i < rows; ++i) {
                    _mm512_store_pd(sq[i], _mm512_setzero_pd());
                    _mm512_store_pd(ab[i], _mm512_setzero_pd());
                }
            }
            __mmask8 lanes[4];
            for (int q = 0; q < 4; ++q) {
                unsigned bits = 0;
                for (int l = 0; l < 8; ++l) bits |= (c0 + 8 * q + l >= c && c0 + 8 * q + l < e ? 1u : 0u) << l;
                lanes[q] = static_cast<__mmask8>(bits);
            }
            for (int64_t i = 0; i < rows; ++i) {
                const float* row = acc[i / 32][i % 32];
                __m512d s2 = _mm512_load_pd(sq[i]), s1 = _mm512_load_pd(ab[i]);
                for (int q = 0; q < 4; ++q) {
                    const __m512d v = _mm512_maskz_cvtps_pd(lanes[q], _mm256_load_ps(row + 8 * q));
                    s2 = _mm512_fmadd_pd(v, v, s2);
                    s1 = _mm512_add_pd(s1, _mm512_abs_pd(v));
                }
                _mm512_store_pd(sq[i], s2);
                _mm512_store_pd(ab[i], s1);
            }
            c = e;
            if (e == starts[s + 1]) close(g0, rows);
        }
    }
    PROBENET_AMX_TARGET void group_done(int64_t g0, int64_t rows) { close(g0, rows); }
};

}  // namespace

PROBENET_AMX_TARGET void amx_bf16x3_gemm(const float* x, int64_t m, const AmxBf16x3Weights& w, float* p, int64_t ldp,
                                         AmxTiles& rows_scratch) {
    PROBENET_CHECK(amx_bf16_usable(), "amx_bf16x3_gemm: ", amx_bf16_status());
    PROBENET_CHECK(m >= 0 && ldp >= w.n_ && (m == 0 || (x != nullptr && p != nullptr)),
                   "amx_bf16x3_gemm: bad arguments (m ", m, ", ldp ", ldp, ", n ", w.n_, ")");
    if (m == 0 || w.n_ == 0) return;
    run_kernel(x, m, w.d_, w.d_pad_, w.n_pad_, w.tiles_.data(), rows_scratch,
               [&](int, int) { return WriteP{p, ldp, w.n_}; });
}

PROBENET_AMX_TARGET void amx_bf16x3_segment_sums(const float* x, int64_t m, const AmxBf16x3Weights& w,
                                                 std::span<const int64_t> starts, double* squares, double* abs_sums,
                                                 AmxTiles& rows_scratch, std::vector<double>& partials) {
    PROBENET_CHECK(amx_bf16_usable(), "amx_bf16x3_segment_sums: ", amx_bf16_status());
    const int64_t segments = static_cast<int64_t>(starts.size()) - 1;
    PROBENET_CHECK(segments >= 1 && starts[0] == 0 && starts[segments] == w.n_ &&
                       std::is_sorted(starts.begin(), starts.end()) && (m == 0 || x != nullptr),
                   "amx_bf16x3_segment_sums: segment starts must run from 0 to n = ", w.n_, " in order");
    if (m == 0) return;
    const int threads = omp_get_max_threads();
    const size_t each = static_cast<size_t>(m * segments);
    if (partials.size() < 2 * each * static_cast<size_t>(threads)) partials.resize(2 * each * threads);
    std::fill(partials.begin(), partials.begin() + static_cast<std::ptrdiff_t>(2 * each * threads), 0.0);
    if (w.n_ > 0) {
        run_kernel(x, m, w.d_, w.d_pad_, w.n_pad_, w.tiles_.data(), rows_scratch, [&](int me, int) {
            SegmentSums e;
            e.starts = starts;
            e.segments = segments;
            e.squares = partials.data() + 2 * each * static_cast<size_t>(me);
            e.abs_sums = e.squares + each;
            return e;
        });
    }
    for (size_t k = 0; k < each; ++k) {
        double sq = 0.0, ab = 0.0;
        for (int t = 0; t < threads; ++t) {
            sq += partials[2 * each * t + k];
            ab += partials[2 * each * t + each + k];
        }
        squares[k] = sq;
        abs_sums[k] = ab;
    }
}

}  // namespace probenet::cpu
