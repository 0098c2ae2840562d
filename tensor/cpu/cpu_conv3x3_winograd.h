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
// The ∘ stage is 16 independent products, one per position ξ of the 4×4 tile:
//     M_ξ (tiles, outs) = V_ξ (tiles, ins) · U_ξ (ins, outs),   V = Bᵀ d B per tile and channel, U = G g Gᵀ.
// Every array is channels-last, so each step is vectorised over 16 channels whatever the plane size:
// a chunk of images is copied into a zero-padded (count, 2·TH + 2, 2·TW + 2, ins) buffer, TH × TW
// tiles an image (TH = ⌈H/2⌉); outputs of a tile that fall outside an odd-sized image are dropped.
// The rounding differs from the direct sums (the transforms add and subtract before multiplying):
// about 2–4 float32 ulps of the result's magnitude more, like cuDNN's Winograd algorithms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace probenet::cpu {

// True when both channel counts are multiples of 16 (the kernels' vector width) and at least 32.
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

// The correlation of `count` images `in` (count, ins, H, W) with weights u (winograd_weights) at every
// output position, written pixel-major: outT[(n·H·W + h·W + w)·outs + o]. Uses the calling thread's
// scratch slots 0, 4 and 5.
void winograd_correlate(const float* u, int64_t ins, int64_t outs, int64_t H, int64_t W, const float* in,
                        int64_t count, float* outT);

// Images per chunk that keep a chunk's transformed tiles (V and M) within about 1 MB of L2.
int64_t winograd_images_per_chunk(int64_t ins, int64_t outs, int64_t H, int64_t W);

}  // namespace probenet::cpu
