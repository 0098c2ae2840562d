// F(2×2, 3×3) Winograd correlation on a chunk of images (see cpu_conv3x3_winograd.h), vectorised over
// tiles: transform the input tiles (V = Bᵀ d B) straight from the (n, c, h, w) planes, two tile rows or
// up to 15 tiles of a row per vector; multiply M_ξ = U_ξᵀ V_ξ in register tiles of 8 outputs × 48
// tiles. The output transform, which hands results to the caller, is a template in the header. Then
// the filter gradient's F(3×3, 2×2): the same V, dM = A dY Aᵀ from transposed dy vectorised over
// output channels, dU_ξ = Σ_t V_ξ(·, t) dM_ξ(t, ·) in register tiles, and dw = Gᵀ dU G.
#include "tensor/cpu/cpu_conv3x3_winograd.h"

#include <algorithm>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_simd.h"
#include "tensor/cpu/cpu_stacked.h"

namespace probenet::cpu {

namespace {

using namespace simd;  // v16, load16, store16, splat, load_part, store_part, shuffle2

// Rows of Tp ≥ tiles floats (a multiple of 16) at `row` floats apart, positions ξ `plane` floats apart:
// both odd numbers of 64-byte lines, so that the 16 positions of a tile and consecutive rows map to
// different L1 sets (power-of-two strides made every access of a tile's transform collide).
struct Strides {
    int64_t Tp, row, plane;
    Strides(int64_t tiles, int64_t rows) : Tp(round_up(tiles, 16)), row(odd_lines(Tp)), plane(odd_lines(rows * row)) {}
    static int64_t odd_lines(int64_t floats) { return (floats / 16) % 2 ? floats : floats + 16; }
};

struct Tiling {
    int64_t H, W, TH, TW;  // image, tiles per column and per row
    Tiling(int64_t h, int64_t w) : H(h), W(w), TH((h + 1) / 2), TW((w + 1) / 2) {}
    int64_t tiles() const { return TH * TW; }
};

// V[ξ][c][t] = (Bᵀ d B)[ξ] for every tile t of the chunk, one channel plane at a time. Tile row th
// reads input rows 2·th − 1 … 2·th + 2 (zero outside the image); tile tw reads columns 2·tw − 1 …
// 2·tw + 2. Bᵀ d combines the rows element-wise, into two vectors a and b; (Bᵀ d) B combines each
// tile's four columns, which permutes of a‖b pick: with TW ≤ 7 a tile row fits one vector, so a and b
// are two tile rows (2·TW tiles per vector); wider, a and b are columns 2·tw0 − 1 … 2·tw0 + 30 of one
// tile row, which hold tiles tw0 … tw0 + 14 (the 28-wide planes' 14 tiles in one vector).
constexpr int64_t kWideTiles = 15;

void transform_input(const Tiling& t, int64_t ins, const float* in, int64_t count, const Strides& vs, float* V) {
    const bool paired = t.TW <= 7;
    i16 col[4];  // lane L of column pattern j: index into a‖b
    for (int j = 0; j < 4; ++j)
        for (int L = 0; L < 16; ++L)
            col[j][L] = std::min<int32_t>(31, paired && L >= t.TW ? 16 + 2 * (L - static_cast<int32_t>(t.TW)) + j
                                                                   : 2 * L + j);
    const int64_t HW = t.H * t.W, position = vs.plane;
    auto combine = [](const v16* d, int i) {  // row i of Bᵀ d
        return i == 0 ? d[0] - d[2] : i == 1 ? d[1] + d[2] : i == 2 ? d[2] - d[1] : d[1] - d[3];
    };
    // Tiles [0, lanes) of a vector, stored from `out` for each of the 16 positions.
    auto transform = [&](const v16* a, const v16* b, int64_t lanes, float* out) {
        for (int i = 0; i < 4; ++i) {
            const v16 xa = combine(a, i), xb = combine(b, i);
            const v16 x0 = shuffle2(xa, xb, col[0]), x1 = shuffle2(xa, xb, col[1]);
            const v16 x2 = shuffle2(xa, xb, col[2]), x3 = shuffle2(xa, xb, col[3]);
            store_part(out + (4 * i) * position, x0 - x2, lanes);
            store_part(out + (4 * i + 1) * position, x1 + x2, lanes);
            store_part(out + (4 * i + 2) * position, x2 - x1, lanes);
            store_part(out + (4 * i + 3) * position, x1 - x3, lanes);
        }
    };
    // Channel by channel, so each position's row of V is written front to back while its lines stay in L1.
    for (int64_t c = 0; c < ins; ++c)
        for (int64_t n = 0; n < count; ++n) {
            const float* plane = in + (n * ins + c) * HW;
            // The plane read next, prefetched whole: planes of one channel lie ins·H·W floats apart, each
            // a short stream (784 to 3136 bytes) that the hardware prefetchers did not start on in time;
            // perf put most of this function's time on the first loads of each row. CNN step, two
            // binaries alternately, 3 runs each: 1 thread −0.2 to −2.7 ms of 51–55 (best of 30 steps
            // −2.5 to −4 %, mostly conv4 and conv6), 2 threads −0.5 to −4.7 ms.
            const float* next = n + 1 < count ? plane + ins * HW : c + 1 < ins ? in + (c + 1) * HW : nullptr;
            if (next)
                for (int64_t f = 0; f < HW; f += 16) __builtin_prefetch(next + f, 0, 3);
            float* v = V + c * vs.row + n * t.tiles();
            // Row r of the plane from column `first` on, zero outside the image; the pointer may sit one
            // before the row, a lane that is never read.
            auto row = [&](int64_t r, int64_t first) {
                return r < 0 || r >= t.H ? splat(0.0f) : load_part(plane + r * t.W + first, -first, t.W - first);
            };
            v16 a[4], b[4];
            if (paired) {
                for (int64_t th = 0; th < t.TH; th += 2) {
                    for (int k = 0; k < 4; ++k) a[k] = row(2 * th - 1 + k, -1);
                    const bool two = th + 1 < t.TH;
                    b[0] = a[2], b[1] = a[3];
                    b[2] = two ? row(2 * th + 3, -1) : splat(0.0f), b[3] = two ? row(2 * th + 4, -1) : splat(0.0f);
                    transform(a, b, (two ? 2 : 1) * t.TW, v + th * t.TW);
                }
                continue;
            }
            for (int64_t th = 0; th < t.TH; ++th)
                for (int64_t tw0 = 0; tw0 < t.TW; tw0 += kWideTiles) {
                    for (int k = 0; k < 4; ++k) {
                        a[k] = row(2 * th - 1 + k, 2 * tw0 - 1);
                        b[k] = row(2 * th - 1 + k, 2 * tw0 + 15);
                    }
                    transform(a, b, std::min<int64_t>(kWideTiles, t.TW - tw0), v + th * t.TW + tw0);
                }
        }
}

// The register tile of both products: out[r][16j + lane] (+)= Σ_{k < K} a[r·a_r + k·a_k] · b[k·b_k + 16j + lane]
// for R broadcast rows and NV vectors, stored (rows `out_r` floats apart) or, with kAdd, added.
template <int R, int NV, bool kAdd>
void broadcast_tile(const float* a, int64_t a_r, int64_t a_k, const float* b, int64_t b_k, int64_t K, float* out,
                    int64_t out_r) {
    v16 acc[R][NV];  // fully unrolled, so the accumulators live in registers (GCC stops at 16 by itself)
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) acc[r][j] = splat(0.0f);
    for (int64_t k = 0; k < K; ++k) {
        v16 x[NV];
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) x[j] = load16(b + k * b_k + 16 * j);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) {
            const v16 w = splat(a[r * a_r + k * a_k]);
#pragma GCC unroll 4
            for (int j = 0; j < NV; ++j) acc[r][j] += w * x[j];
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
        for (int j = 0; j < NV; ++j) {
            float* o = out + r * out_r + 16 * j;
            store16(o, kAdd ? load16(o) + acc[r][j] : acc[r][j]);
        }
}

constexpr int kOuts = 8;  // outputs per register tile (broadcast weights), by up to 3 vectors of tiles

// m[o][t0 + 16v + lane] = Σ_c u[c][o] · v[c][t0 + 16v + lane] for kOuts outputs and 16·NV tiles; rows of
// v and m are `row` floats apart, rows of u `outs`.
template <int NV>
void multiply_tile(const float* v, const float* u, int64_t ins, int64_t outs, int64_t row, float* m) {
    broadcast_tile<kOuts, NV, false>(u, 1, outs, v, row, ins, m, row);
}

// All 16 products: for each ξ, 48 tiles of V_ξ (ins × 48 floats) stay in L1 while every output block
// passes over them, U_ξ (ins × outs) with them.
void multiply(const float* V, const Strides& vs, const float* U, int64_t ins, int64_t outs, const Strides& ms,
              float* M) {
    for (int xi = 0; xi < 16; ++xi) {
        const float* u = U + xi * ins * outs;
        const float* v = V + xi * vs.plane;
        float* m = M + xi * ms.plane;
        for (int64_t t0 = 0; t0 < vs.Tp;) {
            const int64_t left = vs.Tp - t0;
            const int nv = left >= 48 ? 3 : left >= 32 ? 2 : 1;
            for (int64_t ob = 0; ob < outs; ob += kOuts) {
                const float* uo = u + ob;
                float* mo = m + ob * ms.row + t0;
                if (nv == 3) {
                    multiply_tile<3>(v + t0, uo, ins, outs, vs.row, mo);
                } else if (nv == 2) {
                    multiply_tile<2>(v + t0, uo, ins, outs, vs.row, mo);
                } else {
                    multiply_tile<1>(v + t0, uo, ins, outs, vs.row, mo);
                }
            }
            t0 += 16 * nv;
        }
    }
}

// dM[ξ][t][o] = (A dY Aᵀ)[ξ] for every tile t of the chunk, 16 channels at a time, from dy transposed to
// pixel rows (pixels of a tile past an odd-sized image count as zero). Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
void transform_output_grad(const Tiling& t, int64_t outs, const float* dyT, int64_t count, int64_t plane, float* dM) {
    const v16 zero = splat(0.0f);
    for (int64_t n = 0; n < count; ++n)
        for (int64_t th = 0; th < t.TH; ++th)
            for (int64_t tw = 0; tw < t.TW; ++tw) {
                const int64_t tile = (n * t.TH + th) * t.TW + tw, h = 2 * th, w = 2 * tw;
                const bool down = h + 1 < t.H, right = w + 1 < t.W;
                const float* y = dyT + (n * t.H * t.W + h * t.W + w) * outs;
                float* m = dM + tile * outs;
                for (int64_t o = 0; o < outs; o += 16) {
                    const v16 y00 = load16(y + o), y01 = right ? load16(y + outs + o) : zero;
                    const v16 y10 = down ? load16(y + t.W * outs + o) : zero;
                    const v16 y11 = down && right ? load16(y + (t.W + 1) * outs + o) : zero;
                    const v16 r[4][2] = {{y00, y01}, {y00 + y10, y01 + y11}, {y00 - y10, y01 - y11}, {-y10, -y11}};
                    for (int i = 0; i < 4; ++i) {
                        store16(m + (4 * i) * plane + o, r[i][0]);
                        store16(m + (4 * i + 1) * plane + o, r[i][0] + r[i][1]);
                        store16(m + (4 * i + 2) * plane + o, r[i][0] - r[i][1]);
                        store16(m + (4 * i + 3) * plane + o, -r[i][1]);
                    }
                }
            }
}

// du[c][o] += Σ_{t < T} v[c][t] · m[t][o] for CB channels (rows of v `row` floats apart) and 16·OV outputs
// (rows of m and du `outs` floats).
template <int CB, int OV>
void filter_tile(const float* v, int64_t row, const float* m, int64_t outs, int64_t T, float* du) {
    broadcast_tile<CB, OV, true>(v, row, 1, m, outs, T, du, outs);
}

template <int CB, int OV>
void filter_products(const float* V, const Strides& vs, const float* dM, int64_t plane, int64_t ins, int64_t outs,
                     int64_t T, float* dU) {
    for (int xi = 0; xi < 16; ++xi)
        for (int64_t c = 0; c < ins; c += CB)
            for (int64_t o = 0; o < outs; o += 16 * OV)
                filter_tile<CB, OV>(V + xi * vs.plane + c * vs.row, vs.row, dM + xi * plane + o, outs, T,
                                    dU + (xi * ins + c) * outs + o);
}

}  // namespace

bool winograd_applies(int64_t ins, int64_t outs) {
    // Measured faster than the direct kernels from 16 channels on (conv2 of the paper's CNN, 16 → 16 on
    // 28×28: forward 0.88×, input gradient 0.88×; conv3, 16 → 32 on 14×14: 0.80×, 0.81×).
    return ins > 0 && outs > 0 && ins % 16 == 0 && outs % 16 == 0;
}

int64_t winograd_images_per_chunk(int64_t ins, int64_t outs, int64_t H, int64_t W) {
    constexpr int64_t kTileFloats = int64_t(1) << 18;  // V and M of a chunk: 1 MB
    const Tiling t(H, W);
    return std::max<int64_t>(1, kTileFloats / (16 * t.tiles() * (ins + outs)));
}

WinogradProducts winograd_products(const float* U, int64_t ins, int64_t outs, int64_t H, int64_t W, const float* in,
                                   int64_t count) {
    const Tiling t(H, W);
    const int64_t tiles = count * t.tiles();
    const Strides vs(tiles, ins), ms(tiles, outs);
    constexpr int64_t kSlack = 16;  // the output transform loads whole vectors from a row's last tiles
    float* V = thread_scratch(4, 16 * vs.plane);
    float* M = thread_scratch(5, 16 * ms.plane + kSlack);
    transform_input(t, ins, in, count, vs, V);
    for (int xi = 0; xi < 16; ++xi)  // the padding tiles: zeros, their products never read
        for (int64_t c = 0; c < ins; ++c) {
            float* row = V + xi * vs.plane + c * vs.row;
            std::fill(row + tiles, row + vs.Tp, 0.0f);
        }
    multiply(V, vs, U, ins, outs, ms, M);
    return {M, outs, H, W, t.TH, t.TW, ms.row, ms.plane};
}

}  // namespace probenet::cpu

namespace probenet::cpu {

void winograd_filter_products(int64_t ins, int64_t outs, int64_t H, int64_t W, const float* x, const float* dyT,
                              int64_t count, float* dU) {
    const Tiling t(H, W);
    const int64_t tiles = count * t.tiles();
    const Strides vs(tiles, ins);
    const int64_t plane = Strides::odd_lines(tiles * outs);  // dM[ξ][t][o]
    float* V = thread_scratch(4, 16 * vs.plane);
    float* dM = thread_scratch(5, 16 * plane);
    transform_input(t, ins, x, count, vs, V);
    transform_output_grad(t, outs, dyT, count, plane, dM);
    // Register tiles of 16 accumulators: 4 channels × 64 outputs or 8 × 32 (16 × 16 would take one
    // broadcast per multiply-add).
    if (outs % 64 == 0) {
        filter_products<4, 4>(V, vs, dM, plane, ins, outs, tiles, dU);
    } else {
        filter_products<8, 2>(V, vs, dM, plane, ins, outs, tiles, dU);
    }
}

void winograd_filter_weights(int64_t ins, int64_t outs, const float* dU, float beta, float* dw) {
    // Gᵀ = [[1, ½, ½, 0], [0, ½, −½, 0], [0, ½, ½, 1]]: rows of Gᵀ combine dU's rows, then its columns.
    for (int64_t o = 0; o < outs; ++o)
        for (int64_t c = 0; c < ins; ++c) {
            float u[4][4], r[3][4];
            for (int xi = 0; xi < 16; ++xi) u[xi / 4][xi % 4] = dU[(xi * ins + c) * outs + o];
            for (int l = 0; l < 4; ++l) {
                r[0][l] = u[0][l] + 0.5f * (u[1][l] + u[2][l]);
                r[1][l] = 0.5f * (u[1][l] - u[2][l]);
                r[2][l] = 0.5f * (u[1][l] + u[2][l]) + u[3][l];
            }
            float* out = dw + (o * ins + c) * 9;
            for (int i = 0; i < 3; ++i) {
                const float g[3] = {r[i][0] + 0.5f * (r[i][1] + r[i][2]), 0.5f * (r[i][1] - r[i][2]),
                                    0.5f * (r[i][1] + r[i][2]) + r[i][3]};
                for (int j = 0; j < 3; ++j) out[3 * i + j] = beta == 0.0f ? g[j] : beta * out[3 * i + j] + g[j];
            }
        }
}

}  // namespace probenet::cpu
