// The filter (and bias) gradient of the direct 3×3 convolution (see cpu_conv3x3.h):
//     dw[o,c,t] = Σ over valid positions q of dy[o][q] · xs[c][q + offset_t],   db[o] = Σ_q dy[o][q]
// vectorised over 16 output channels: dy is transposed to pixel-major rows (16×16 blocks in
// registers), each input broadcast, and the 9·CC accumulators of CC input channels stay in registers
// over a whole chunk, so there are no horizontal sums and no padding positions in the work.
// With Winograd on and channel counts it takes (≥ 32 outputs), the same transposed dy feeds Winograd's
// F(3×3, 2×2) instead (winograd_filter_products, cpu_conv3x3_winograd.h): 2.25× fewer multiplications.
#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "tensor/cpu/cpu_conv3x3_winograd.h"
#include "tensor/cpu/cpu_simd.h"
#include "tensor/cpu/cpu_stacked.h"

namespace probenet::cpu {

namespace {

using namespace simd;  // v16, load16, store16, splat

#ifdef __AVX512F__
constexpr int kFilterC = 2;  // input channels per block: 18 accumulators (27 would spill)
#else
constexpr int kFilterC = 1;
#endif

// dw partial[c][t][o] += Σ over the chunk's pixels of dyT[pixel][o] · xs[c][q(pixel) + offset_t], for
// CC channels from xs and the 16 output channels at dyT (pixel-major rows of `o_stride` floats).
// Pixels go in pairs (w, w + 1): tap j of the second reads the input that tap j + 1 of the first reads,
// so a row of taps needs 4 broadcast inputs for 6 multiply-adds instead of 6 for 6.
template <int CC>
void filter_block(const Stacked& s, const float* xs, const float* dyT, int64_t o_stride, float* partial) {
    v16 acc[CC][kTaps];
    for (int cc = 0; cc < CC; ++cc)
        for (int t = 0; t < kTaps; ++t) acc[cc][t] = splat(0.0f);
    for (int64_t n = 0; n < s.count; ++n)
        for (int64_t h = 0; h < s.H; ++h) {
            const int64_t q0 = s.q(n, h);
            const float* d = dyT + (n * s.H + h) * s.W * o_stride;
            int64_t w = 0;
            for (; w + 2 <= s.W; w += 2) {
                const v16 d0 = load16(d + w * o_stride), d1 = load16(d + (w + 1) * o_stride);
                for (int cc = 0; cc < CC; ++cc) {
                    const float* x = xs + cc * s.plane + q0 + w;
                    for (int i = 0; i < 3; ++i) {
                        const float* r = x + i * s.Wp;
                        v16* a = acc[cc] + 3 * i;
                        v16 b = splat(r[0]);
                        a[0] += b * d0;
                        b = splat(r[1]);
                        a[1] += b * d0, a[0] += b * d1;
                        b = splat(r[2]);
                        a[2] += b * d0, a[1] += b * d1;
                        b = splat(r[3]);
                        a[2] += b * d1;
                    }
                }
            }
            if (w < s.W) {  // odd row length: the last pixel alone
                const v16 dv = load16(d + w * o_stride);
                for (int cc = 0; cc < CC; ++cc) {
                    const float* x = xs + cc * s.plane + q0 + w;
                    for (int i = 0; i < 3; ++i)
                        for (int j = 0; j < 3; ++j) acc[cc][i * 3 + j] += splat(x[i * s.Wp + j]) * dv;
                }
            }
        }
    for (int cc = 0; cc < CC; ++cc)
        for (int t = 0; t < kTaps; ++t) {
            float* p = partial + (cc * kTaps + t) * o_stride;
            store16(p, load16(p) + acc[cc][t]);
        }
}

// dst (HW rows of o_stride floats) = the transpose of src (O rows of HW floats), zero-padded from O
// to o_stride columns: 16×16 blocks are transposed in registers, the ragged edges element by element.
void transpose_image(const float* src, int64_t O, int64_t HW, int64_t o_stride, float* dst) {
    const int64_t full_o = O / 16 * 16, full_p = HW / 16 * 16;
    for (int64_t o0 = 0; o0 < full_o; o0 += 16)
        for (int64_t p0 = 0; p0 < full_p; p0 += 16) {
            v16 r[16];
            for (int i = 0; i < 16; ++i) r[i] = load16(src + (o0 + i) * HW + p0);
            simd::transpose16(r);
            for (int i = 0; i < 16; ++i) store16(dst + (p0 + i) * o_stride + o0, r[i]);
        }
    for (int64_t p = 0; p < HW; ++p) {
        float* row = dst + p * o_stride;
        for (int64_t o = p < full_p ? full_o : 0; o < O; ++o) row[o] = src[o * HW + p];
        std::fill(row + O, row + o_stride, 0.0f);
    }
}

}  // namespace

void conv3x3_backward_filter(const Conv2dGeometry& g, const float* x, const ChunkDy& chunk_dy, float beta, float* dw,
                             float beta_db, float* db) {
    const int64_t HW = g.H * g.W, o_stride = round_up(g.O, 16);
    // Winograd from 32 output channels on: with 16, its products take one broadcast per multiply-add and
    // lose to the direct kernel (16 → 16 on 28×28: 1.09× its time; 16 → 32 on 14×14: 0.93×).
    const bool winograd = conv3x3_winograd() && winograd_applies(g.C, g.O) && g.O % 32 == 0;
    // A slot: dw as [c][t][o] (direct) or dU as [ξ][c][o] (Winograd), then db [o].
    const int64_t weights = winograd ? 16 * g.C * g.O : g.C * kTaps * o_stride, size = weights + o_stride;
    // The chunks of the direct kernel either way, so that db's sums (and the backward data's chunks) do
    // not depend on the method: a near-zero bias gradient summed in another order can change sign, and
    // Adam's first steps move a weight by ±lr whatever the gradient's size.
    ChunkPlan plan = plan_chunks(g.N, stacked_images_per_chunk(g), conv3x3_macs(g));
    const int64_t slots = plan_partials(plan, size);
    std::vector<float> partial(static_cast<size_t>(slots * size), 0.0f);
    for_each_chunk(plan, [&](int64_t n0, int64_t count, int64_t slot) {
        const float* dy = chunk_dy(n0, count);
        float* dyT = thread_scratch(2, count * HW * o_stride);  // dy as pixel-major rows, zero-padded to o_stride
        for (int64_t n = 0; n < count; ++n) transpose_image(dy + n * g.O * HW, g.O, HW, o_stride, dyT + n * HW * o_stride);
        float* mine = partial.data() + slot * size;
        if (db)  // the bias gradient: column sums of the transposed dy, 16 channels at a time
            for (int64_t ob = 0; ob < o_stride; ob += 16) {
                v16 sum = splat(0.0f);
                for (int64_t p = 0; p < count * HW; ++p) sum += load16(dyT + p * o_stride + ob);
                store16(mine + weights + ob, sum);
            }
        if (winograd) {  // in sub-chunks whose transformed tiles stay in L2
            const int64_t per = winograd_images_per_chunk(g.C, g.O, g.H, g.W);
            for (int64_t k = 0; k < count; k += per)
                winograd_filter_products(g.C, g.O, g.H, g.W, x + (n0 + k) * g.C * HW, dyT + k * HW * o_stride,
                                         std::min(per, count - k), mine);
            return;
        }
        const Stacked s(g.H, g.W, count);
        float* xs = thread_scratch(0, g.C * s.plane);
        stack_images(s, g.C, x + n0 * g.C * HW, xs);
        for (int64_t c0 = 0; c0 < g.C; c0 += kFilterC)
            for (int64_t ob = 0; ob < o_stride; ob += 16) {
                const float* xc = xs + c0 * s.plane;
                float* p = mine + c0 * kTaps * o_stride + ob;
                if (g.C - c0 >= 2 && kFilterC >= 2) {
                    filter_block<2>(s, xc, dyT + ob, o_stride, p);
                } else {
                    filter_block<1>(s, xc, dyT + ob, o_stride, p);
                }
            }
    });
    sum_partials(partial.data(), slots, size);
    if (winograd) {
        winograd_filter_weights(g.C, g.O, partial.data(), beta, dw);
    } else {
        for (int64_t o = 0; o < g.O; ++o)
            for (int64_t c = 0; c < g.C; ++c)
                for (int t = 0; t < kTaps; ++t) {
                    const float sum = partial[static_cast<size_t>((c * kTaps + t) * o_stride + o)];
                    float& out = dw[(o * g.C + c) * kTaps + t];
                    out = beta == 0.0f ? sum : beta * out + sum;
                }
    }
    if (!db) return;
    for (int64_t o = 0; o < g.O; ++o) {
        const float sum = partial[static_cast<size_t>(weights + o)];
        db[o] = beta_db == 0.0f ? sum : beta_db * db[o] + sum;
    }
}

}  // namespace probenet::cpu
