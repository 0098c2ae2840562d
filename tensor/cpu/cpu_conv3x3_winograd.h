// Winograd's minimal filtering F(2×2, 3×3) for the direct 3×3 stride-1 padding-1 kernels
// (cpu_conv3x3.h): the same correlation out[o] = Σ_c w[o,c] ⋆ in[c] with 16 multiplications per 2×2
// outputs instead of 36 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
//
// Per 4×4 input tile d (rows 2·th − 1 … 2·th + 2, columns likewise, zero outside the image) and 3×3
// filter g:   Y (2×2) = Aᵀ [ (G g Gᵀ) ∘ (Bᵀ d B) ] A,   summed over input channels inside the ∘ stage:
//     Bᵀ = | 1  0 −1  0 |     G = | 1    0    0  |     Aᵀ = | 1  1  1  0 |
//          | 0  1  1  0 |         | ½    ½    ½  |          | 0  1 −1 −1 |
//          | 0 −1  1  0 |         | ½   −½    ½  |
//          | 0  1  0 −1 |         | 0    0    1  |
// The ∘ stage is 16 independent products, one per position ξ of the 4×4 tile, each a matrix product
//     M_ξ (outs, tiles) = U_ξᵀ (outs, ins) · V_ξ (ins, tiles),   V = Bᵀ d B per tile and channel, U = G g Gᵀ,
// vectorised over tiles, t = (n·TH + th)·TW + tw, so the planes stay in the tensors' own layout
// (n, c, h, w): a tile row's columns split into even and odd lanes by permutes give Bᵀ d B for up to 15
// tiles at once, and Aᵀ M A for 8 tiles is interleaved back into two output rows — or, since a tile's 2×2
// outputs are exactly a 2×2 stride-2 pooling window, pooled in registers (cpu_conv3x3.cpp).
// TH = ⌈H/2⌉, TW = ⌈W/2⌉; outputs of a tile that fall outside an odd-sized image are dropped.
// The rounding differs from the direct sums (the transforms add and subtract before multiplying):
// about 2–4 float32 ulps of the result's magnitude more, like cuDNN's Winograd algorithms.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

// True when both channel counts are multiples of 16: the products' register tiles take outputs 8 at a
// time, and the filter gradient's dy transform 16 channels at a time.
bool winograd_applies(int64_t ins, int64_t outs);

// U = G g Gᵀ for every (in, out) pair, laid out [ξ][in][outs]; value(in, out, t) is filter tap t = 3·i + j
// as the computation sees it (forward: w[out][in]; backward data: w[in][out] flipped). In float, 16
// outputs at a time (the loop over o vectorises): it runs before every call, on one thread.
template <typename Value>
std::vector<float> winograd_weights(int64_t ins, int64_t outs, Value&& value) {
    std::vector<float> u(static_cast<size_t>(16 * ins * outs)), taps(static_cast<size_t>(9 * outs));
    for (int64_t i = 0; i < ins; ++i) {
        for (int t = 0; t < 9; ++t)
            for (int64_t o = 0; o < outs; ++o) taps[static_cast<size_t>(t * outs + o)] = value(i, o, t);
        const float* g = taps.data();
        float* row = u.data() + i * outs;  // U[ξ][i][·] is row + ξ·ins·outs
        const int64_t plane = ins * outs;
#pragma omp simd
        for (int64_t o = 0; o < outs; ++o) {
            float gg[4][3];  // G g
            for (int c = 0; c < 3; ++c) {
                const float g0 = g[c * outs + o], g1 = g[(3 + c) * outs + o], g2 = g[(6 + c) * outs + o];
                gg[0][c] = g0, gg[1][c] = 0.5f * (g0 + g1 + g2), gg[2][c] = 0.5f * (g0 - g1 + g2), gg[3][c] = g2;
            }
            for (int r = 0; r < 4; ++r) {  // (G g) Gᵀ
                row[(4 * r) * plane + o] = gg[r][0];
                row[(4 * r + 1) * plane + o] = 0.5f * (gg[r][0] + gg[r][1] + gg[r][2]);
                row[(4 * r + 2) * plane + o] = 0.5f * (gg[r][0] - gg[r][1] + gg[r][2]);
                row[(4 * r + 3) * plane + o] = gg[r][2];
            }
        }
    }
    return u;
}

// The products M of a chunk of images: M[ξ][o][t] at M + ξ·plane + o·row + t, t < TH·TW·count. The
// strides are odd numbers of cache lines, so the 16 positions, and the rows, fall in different cache
// sets; rows and the last plane have readable slack after them.
struct WinogradProducts {
    const float* M;
    int64_t outs, H, W, TH, TW, row, plane;
};

// The products for `count` images `in` (count, ins, H, W) and weights u (winograd_weights). Uses the
// calling thread's scratch slots 4 (V) and 5 (M), which the result points into.
WinogradProducts winograd_products(const float* u, int64_t ins, int64_t outs, int64_t H, int64_t W, const float* in,
                                   int64_t count);

// The output transform Y = Aᵀ M_tile A for every tile, 16 consecutive tiles t at a time (they may span
// tile rows and images): y[2a + b] lane k holds output (2·th + a, 2·tw + b) of tile t0 + k. The vector
// is handed over one tile-row piece at a time: sink(n, o, th, tw, lane, length, y) for tiles tw …
// tw + length − 1 of tile row th of image n, in lanes lane … lane + length − 1. Rows and columns past
// an odd-sized image are included; the sink drops them.
template <typename Sink>
void winograd_outputs(const WinogradProducts& m, int64_t count, Sink&& sink) {
    using namespace simd;
    const int64_t per_image = m.TH * m.TW, tiles = count * per_image;
    for (int64_t o = 0; o < m.outs; ++o)
        for (int64_t t0 = 0; t0 < tiles; t0 += 16) {
            const float* p = m.M + o * m.row + t0;
            v16 s0[4], s1[4];  // Aᵀ M, combinations of the tile's rows
            for (int j = 0; j < 4; ++j) {
                const v16 m0 = load16(p + j * m.plane), m1 = load16(p + (4 + j) * m.plane);
                const v16 m2 = load16(p + (8 + j) * m.plane), m3 = load16(p + (12 + j) * m.plane);
                s0[j] = m0 + m1 + m2, s1[j] = m1 - m2 - m3;
            }
            const v16 y[4] = {s0[0] + s0[1] + s0[2], s0[1] - s0[2] - s0[3], s1[0] + s1[1] + s1[2],
                              s1[1] - s1[2] - s1[3]};
            const int64_t end = std::min(t0 + 16, tiles);
            for (int64_t t = t0; t < end;) {
                const int64_t n = t / per_image, th = t % per_image / m.TW, tw = t % m.TW;
                const int64_t length = std::min(m.TW - tw, end - t);
                sink(n, o, th, tw, t - t0, length, y);
                t += length;
            }
        }
}

// The output rows: emit(image, channel, offset in the plane, values, length) for each piece of an
// output row, up to 16 columns (8 tiles) at a time, the even and odd columns interleaved into the
// vector `values` (lanes [0, length) valid).
template <typename Emit>
void winograd_rows(const WinogradProducts& m, int64_t count, Emit&& emit) {
    using namespace simd;
    static const i16 interleave = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23};
    winograd_outputs(m, count, [&](int64_t n, int64_t o, int64_t th, int64_t tw, int64_t lane, int64_t length,
                                   const v16* y) {
        for (int64_t k = 0; k < length; k += 8) {  // tiles tw + k …, columns 2·(tw + k) …
            const int64_t w = 2 * (tw + k), columns = std::min<int64_t>(16, std::min(2 * (length - k), m.W - w));
            const i16 pick = interleave + static_cast<int32_t>(lane + k);
            for (int a = 0; a < 2 && 2 * th + a < m.H; ++a)
                emit(n, o, (2 * th + a) * m.W + w, shuffle2(y[2 * a], y[2 * a + 1], pick), columns);
        }
    });
}

// The filter gradient the same way (F(3×3, 2×2)): with dM = A dY Aᵀ for each 2×2 tile of dy and V as
// above, dU_ξ (ins, outs) = Σ_tiles V_ξ(c, t) · dM_ξ(t, o), and dw = Gᵀ dU G per (o, c), 2.25× fewer
// multiplications than the direct sums. winograd_filter_products adds a chunk's tiles into
// dU[ξ][c][o] (16·ins·outs floats): x (count, ins, H, W), dyT (count·H·W pixel rows of outs floats),
// outs a multiple of 32. Uses the calling thread's scratch slots 4 and 5.
void winograd_filter_products(int64_t ins, int64_t outs, int64_t H, int64_t W, const float* x, const float* dyT,
                              int64_t count, float* dU);
// dw[o][c][3i + j] = (Gᵀ dU_{c,o} G)[i][j], or beta·dw + that.
void winograd_filter_weights(int64_t ins, int64_t outs, const float* dU, float beta, float* dw);

// Images per chunk that keep a chunk's transformed tiles (V and M) within about 1 MB of L2.
int64_t winograd_images_per_chunk(int64_t ins, int64_t outs, int64_t H, int64_t W);

}  // namespace probenet::cpu
