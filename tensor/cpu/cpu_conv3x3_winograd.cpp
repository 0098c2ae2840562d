// F(2×2, 3×3) Winograd correlation on a chunk of images (see cpu_conv3x3_winograd.h): pad and
// transpose to channels-last, transform the input tiles (V = Bᵀ d B), multiply by U position by
// position in register tiles, transform back (Y = Aᵀ M A) into pixel-major output rows.
#include "tensor/cpu/cpu_conv3x3_winograd.h"

#include <algorithm>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

namespace {

using namespace simd;  // v16, load16, store16, splat

struct Tiling {
    int64_t H, W, TH, TW, Hp, Wq;  // image, tiles per column and row, padded buffer rows and columns
    Tiling(int64_t h, int64_t w) : H(h), W(w), TH((h + 1) / 2), TW((w + 1) / 2), Hp(2 * TH + 2), Wq(2 * TW + 2) {}
    int64_t tiles() const { return TH * TW; }
};

// padded[n][r][q][c] = in[n][c][r − 1][q − 1], zero outside the image: 16×16 blocks of (channels, pixels)
// transposed in registers, the ragged pixels one by one, then the border rows and columns zeroed.
void pad_channels_last(const Tiling& t, int64_t ins, const float* in, int64_t count, float* padded) {
    const int64_t HW = t.H * t.W, full = HW / 16 * 16, row = t.Wq * ins;
    for (int64_t n = 0; n < count; ++n) {
        const float* src = in + n * ins * HW;
        float* dst = padded + n * t.Hp * row;
        auto at = [&](int64_t p) { return dst + (p / t.W + 1) * row + (p % t.W + 1) * ins; };
        for (int64_t c0 = 0; c0 < ins; c0 += 16) {
            for (int64_t p0 = 0; p0 < full; p0 += 16) {
                v16 r[16];
                for (int i = 0; i < 16; ++i) r[i] = load16(src + (c0 + i) * HW + p0);
                transpose16(r);
                for (int i = 0; i < 16; ++i) store16(at(p0 + i) + c0, r[i]);
            }
            for (int64_t p = full; p < HW; ++p)
                for (int i = 0; i < 16; ++i) at(p)[c0 + i] = src[(c0 + i) * HW + p];
        }
        std::fill(dst, dst + row, 0.0f);                           // the row above the image
        std::fill(dst + (t.H + 1) * row, dst + t.Hp * row, 0.0f);  // below it, one or two rows
        for (int64_t r = 1; r <= t.H; ++r) {
            std::fill(dst + r * row, dst + r * row + ins, 0.0f);                  // left column
            std::fill(dst + r * row + (t.W + 1) * ins, dst + (r + 1) * row, 0.0f);  // right, one or two
        }
    }
}

// V[ξ][tile][c] = (Bᵀ d B)[ξ] for every tile of the chunk, 16 channels at a time.
void transform_input(const Tiling& t, int64_t ins, const float* padded, int64_t count, int64_t T, float* V) {
    const int64_t row = t.Wq * ins;
    for (int64_t n = 0; n < count; ++n)
        for (int64_t th = 0; th < t.TH; ++th)
            for (int64_t tw = 0; tw < t.TW; ++tw) {
                const int64_t tile = (n * t.TH + th) * t.TW + tw;
                const float* base = padded + (n * t.Hp + 2 * th) * row + 2 * tw * ins;
                for (int64_t c = 0; c < ins; c += 16) {
                    v16 x[4][4];  // Bᵀ d: combinations of the tile's rows
                    for (int j = 0; j < 4; ++j) {
                        const v16 d0 = load16(base + j * ins + c), d1 = load16(base + row + j * ins + c);
                        const v16 d2 = load16(base + 2 * row + j * ins + c), d3 = load16(base + 3 * row + j * ins + c);
                        x[0][j] = d0 - d2, x[1][j] = d1 + d2, x[2][j] = d2 - d1, x[3][j] = d1 - d3;
                    }
                    for (int i = 0; i < 4; ++i) {  // (Bᵀ d) B: the same on its columns
                        float* v = V + (4 * i * T + tile) * ins + c;
                        store16(v, x[i][0] - x[i][2]);
                        store16(v + T * ins, x[i][1] + x[i][2]);
                        store16(v + 2 * T * ins, x[i][2] - x[i][1]);
                        store16(v + 3 * T * ins, x[i][1] - x[i][3]);
                    }
                }
            }
}

// M[ξ][t0 + p][ob + 16·v] = Σ_c V[ξ][t0 + p][c] · U[ξ][c][ob + 16·v] for PB tiles × OV vectors of outputs.
template <int PB, int OV>
void multiply_tile(const float* v, const float* u, int64_t ins, int64_t outs, float* m) {
    v16 acc[PB][OV];  // fully unrolled, so the accumulators live in registers (GCC stops at 16 by itself)
#pragma GCC unroll 24
    for (int p = 0; p < PB; ++p)
#pragma GCC unroll 4
        for (int o = 0; o < OV; ++o) acc[p][o] = splat(0.0f);
    for (int64_t c = 0; c < ins; ++c) {
        v16 w[OV];
#pragma GCC unroll 4
        for (int o = 0; o < OV; ++o) w[o] = load16(u + c * outs + 16 * o);
#pragma GCC unroll 24
        for (int p = 0; p < PB; ++p) {
            const v16 b = splat(v[p * ins + c]);
#pragma GCC unroll 4
            for (int o = 0; o < OV; ++o) acc[p][o] += b * w[o];
        }
    }
#pragma GCC unroll 24
    for (int p = 0; p < PB; ++p)
#pragma GCC unroll 4
        for (int o = 0; o < OV; ++o) store16(m + p * outs + 16 * o, acc[p][o]);
}

// All 16 products for T tiles (T a multiple of PB): U_ξ (ins × outs floats) stays in L1 while the tiles stream.
template <int PB, int OV>
void multiply(const float* V, const float* U, int64_t ins, int64_t outs, int64_t T, float* M) {
    for (int xi = 0; xi < 16; ++xi) {
        const float* u = U + xi * ins * outs;
        for (int64_t t0 = 0; t0 < T; t0 += PB)
            for (int64_t ob = 0; ob < outs; ob += 16 * OV)
                multiply_tile<PB, OV>(V + (xi * T + t0) * ins, u + ob, ins, outs, M + (xi * T + t0) * outs + ob);
    }
}

// outT[pixel][o] = (Aᵀ M A) of every tile, its pixels outside the image dropped.
void transform_output(const Tiling& t, int64_t outs, const float* M, int64_t count, int64_t T, float* outT) {
    const int64_t plane = T * outs;
    for (int64_t n = 0; n < count; ++n)
        for (int64_t th = 0; th < t.TH; ++th)
            for (int64_t tw = 0; tw < t.TW; ++tw) {
                const int64_t tile = (n * t.TH + th) * t.TW + tw, h = 2 * th, w = 2 * tw;
                const bool down = h + 1 < t.H, right = w + 1 < t.W;
                float* y = outT + (n * t.H * t.W + h * t.W + w) * outs;
                for (int64_t o = 0; o < outs; o += 16) {
                    const float* m = M + tile * outs + o;
                    v16 s0[4], s1[4];  // Aᵀ M
                    for (int j = 0; j < 4; ++j) {
                        const v16 m0 = load16(m + j * plane), m1 = load16(m + (4 + j) * plane);
                        const v16 m2 = load16(m + (8 + j) * plane), m3 = load16(m + (12 + j) * plane);
                        s0[j] = m0 + m1 + m2, s1[j] = m1 - m2 - m3;
                    }
                    store16(y + o, s0[0] + s0[1] + s0[2]);
                    if (right) store16(y + outs + o, s0[1] - s0[2] - s0[3]);
                    if (down) {
                        store16(y + t.W * outs + o, s1[0] + s1[1] + s1[2]);
                        if (right) store16(y + (t.W + 1) * outs + o, s1[1] - s1[2] - s1[3]);
                    }
                }
            }
}

}  // namespace

bool winograd_applies(int64_t ins, int64_t outs) {
    // With 16 channels on a side the transforms and the layout copies, which grow with ins + outs,
    // cost more than the products save (ins · outs): measured slower than the direct kernels there.
    return ins % 16 == 0 && outs % 16 == 0 && ins >= 32 && outs >= 32;
}

int64_t winograd_images_per_chunk(int64_t ins, int64_t outs, int64_t H, int64_t W) {
    constexpr int64_t kTileFloats = int64_t(1) << 18;  // V and M of a chunk: 1 MB
    const Tiling t(H, W);
    return std::max<int64_t>(1, kTileFloats / (16 * t.tiles() * (ins + outs)));
}

void winograd_correlate(const float* U, int64_t ins, int64_t outs, int64_t H, int64_t W, const float* in,
                        int64_t count, float* outT) {
    const Tiling t(H, W);
    // Register tiles: 24 accumulators, as many output vectors as the channels allow.
    const int pb = outs % 64 == 0 ? 6 : outs % 32 == 0 ? 12 : 24;
    const int64_t tiles = count * t.tiles(), T = (tiles + pb - 1) / pb * pb;
    float* padded = thread_scratch(0, count * t.Hp * t.Wq * ins);
    float* V = thread_scratch(4, 16 * T * ins);
    float* M = thread_scratch(5, 16 * T * outs);
    pad_channels_last(t, ins, in, count, padded);
    transform_input(t, ins, padded, count, T, V);
    for (int xi = 0; xi < 16; ++xi)  // the padding tiles of each position: zeros, never read back
        std::fill(V + (xi * T + tiles) * ins, V + (xi + 1) * T * ins, 0.0f);
    if (pb == 6) {
        multiply<6, 4>(V, U, ins, outs, T, M);
    } else if (pb == 12) {
        multiply<12, 2>(V, U, ins, outs, T, M);
    } else {
        multiply<24, 1>(V, U, ins, outs, T, M);
    }
    transform_output(t, outs, M, count, T, outT);
}

}  // namespace probenet::cpu
