// Direct 3×3 stride-1 padding-1 convolution, forward and backward data (see cpu_conv3x3.h), on the
// stacked layout of cpu_stacked.h. Two kernels compute out[o][position] = Σ_{c,t} w[o,c,t] ·
// xs[c][position + offset_t]:
//  - positions-major (conv_tile): 8 output channels × 48 consecutive positions per tile, one weight
//    broadcast per 3 vectors; padding positions among the 48 are computed and dropped;
//  - channels-major (pixel_tile), for planes of at most 16×16 and multiples of 64 output channels,
//    where up to a third of the positions would be padding: 6 valid positions × 64 channels, one
//    input broadcast per 4 vectors of weights; the pixel-major result is transposed back in 16×16
//    register blocks.
// Backward data is the same computation on dy, with w transposed over (o, c) and the taps flipped.
// With channel counts that are multiples of 16 on both sides, Winograd's F(2×2, 3×3) replaces both kernels
// (cpu_conv3x3_winograd.cpp), its output rows handed out as vectors.
// A folded ReLU is applied as y is stored, a folded max pool to each chunk's output while it is in
// cache — or, after Winograd, to each tile's 2×2 outputs in registers, since a 2×2 stride-2 window is
// a tile; the backward rebuilds each chunk's dy from them (ConvDy, cpu_conv3x3.h).
#include "tensor/cpu/cpu_conv3x3.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_conv.h"
#include "tensor/cpu/cpu_conv3x3_winograd.h"
#include "tensor/cpu/cpu_simd.h"
#include "tensor/cpu/cpu_stacked.h"
#include "tensor/error.h"

namespace probenet::cpu {

namespace {

using namespace simd;  // v16, load16, store16, splat

std::atomic<bool> winograd_enabled{true};

#ifdef __AVX512F__
constexpr int kTileO = 8;  // output channels per positions-major tile (weights broadcast)
constexpr int kTileV = 3;  // 16-float vectors of positions per tile: 24 accumulators
#else
constexpr int kTileO = 4;
constexpr int kTileV = 1;
#endif
constexpr int kPixelTile = 6;       // positions per channels-major tile
constexpr int kPixelChannels = 64;  // output channels per channels-major tile: 24 accumulators

// out[m][16v + lane] = Σ_{c,t} wp[c][t][m] · xs[c][q0 + 16v + lane + offset_t] for one tile.
template <int MR, int NV>
inline void conv_tile(const Stacked& s, const float* xs, int64_t channels, const float* wp, int64_t q0, float* out,
                      int64_t out_stride) {
    v16 acc[MR][NV];
    for (int m = 0; m < MR; ++m)
        for (int v = 0; v < NV; ++v) acc[m][v] = splat(0.0f);
    for (int64_t c = 0; c < channels; ++c) {
        const float* xc = xs + c * s.plane + q0;
        const float* wc = wp + c * kTaps * MR;
        for (int i = 0; i < 3; ++i) {
            const float* row = xc + i * s.Wp;  // taps (i, 0..2) are row[0..2]: constant displacements
            for (int j = 0; j < 3; ++j) {
                v16 xv[NV];
                for (int v = 0; v < NV; ++v) xv[v] = load16(row + j + 16 * v);
                for (int m = 0; m < MR; ++m) {
                    const v16 b = splat(wc[(i * 3 + j) * MR + m]);
                    for (int v = 0; v < NV; ++v) acc[m][v] += b * xv[v];
                }
            }
        }
    }
    for (int m = 0; m < MR; ++m)
        for (int v = 0; v < NV; ++v) store16(out + m * out_stride + 16 * v, acc[m][v]);
}

// A run of valid output positions inside a tile: tile offset, length, and where it lands.
struct Run {
    int64_t offset, length, n, h, w;
};

// The maximal runs of valid positions (h < H, w < W) among [q0, q0 + len), at most 2 + len / Wp.
int collect_runs(const Stacked& s, int64_t q0, int64_t len, Run* runs) {
    const int64_t per_image = (s.H + 1) * s.Wp, end = std::min(q0 + len, s.q_end());
    int64_t q = q0, n = q0 / per_image, h = (q0 % per_image) / s.Wp, w = q0 % s.Wp;
    int count = 0;
    while (q < end) {
        if (h < s.H && w < s.W) {
            const int64_t length = std::min(s.W - w, end - q);
            runs[count++] = {q - q0, length, n, h, w};
            q += length, w += length;
            continue;
        }
        q += s.Wp - w, w = 0;  // the rest of this padding column or separator row
        if (++h == s.H + 1) h = 0, ++n;
    }
    return count;
}

// The correlation of the stacked input with packed weights wp [out block][in channel][tap][kTileO]
// at every valid output position, tile by tile: each finished tile (in an L1-resident buffer) is
// handed over run by run as emit(image, out channel, offset in the plane, values, length).
template <typename Emit>
void conv_stacked(const Stacked& s, const float* xs, int64_t in_channels, const float* wp, int64_t out_channels,
                  Emit&& emit) {
    constexpr int64_t kTile = 16 * kTileV;
    alignas(64) float tile[kTileO * kTile];
    Run runs[2 + kTile];
    const int64_t q_end = s.q_end(), blocks = (out_channels + kTileO - 1) / kTileO;
    for (int64_t q0 = 0; q0 < q_end; q0 += kTile) {
        const int count = collect_runs(s, q0, kTile, runs);
        for (int64_t ob = 0; ob < blocks; ++ob) {
            conv_tile<kTileO, kTileV>(s, xs, in_channels, wp + ob * in_channels * kTaps * kTileO, q0, tile, kTile);
            const int64_t outs = std::min<int64_t>(kTileO, out_channels - ob * kTileO);
            for (int r = 0; r < count; ++r)
                for (int64_t m = 0; m < outs; ++m)
                    emit(runs[r].n, ob * kTileO + m, runs[r].h * s.W + runs[r].w, tile + m * kTile + runs[r].offset,
                         runs[r].length);
        }
    }
}

// For small planes, where a third of conv_stacked's positions can be padding, the same correlation
// vectorised over output channels instead, on the valid positions only: outT[k][o] (pixel-major rows
// of o_stride floats) for PB pixels at stacked positions q[0..PB) and 16·OV channels from ob, with
// weights wt[c][t][o] (rows of o_stride). Each weight vector serves PB pixels, each broadcast input
// OV vectors.
template <int PB, int OV>
void pixel_tile(const Stacked& s, const float* xs, int64_t in_channels, const float* wt, int64_t o_stride,
                const int32_t* q, int64_t ob, float* outT) {
    v16 acc[PB][OV];
    for (int p = 0; p < PB; ++p)
        for (int v = 0; v < OV; ++v) acc[p][v] = splat(0.0f);
    for (int64_t c = 0; c < in_channels; ++c) {
        const float* xc = xs + c * s.plane;
        const float* wc = wt + c * kTaps * o_stride + ob;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                v16 wv[OV];
                for (int v = 0; v < OV; ++v) wv[v] = load16(wc + (i * 3 + j) * o_stride + 16 * v);
                const int64_t shift = i * s.Wp + j;
                for (int p = 0; p < PB; ++p) {
                    const v16 b = splat(xc[q[p] + shift]);
                    for (int v = 0; v < OV; ++v) acc[p][v] += b * wv[v];
                }
            }
    }
    for (int p = 0; p < PB; ++p)
        for (int v = 0; v < OV; ++v) store16(outT + p * o_stride + ob + 16 * v, acc[p][v]);
}

// Packs w (O, C, 3, 3) for the kernels, as seen by the computation: forward (in = C, out = O,
// v[in][out][t] = w[out][in][t]) or transposed for backward data (in = O, out = C,
// v[in][out][t] = w[in][out][8 − t]). Positions-major: wp[out block][in][t][kTileO], missing channels
// of the last block zero; channels-major: wt[in][t][out].
struct Packed {
    bool winograd = false;  // w holds U = G g Gᵀ (cpu_conv3x3_winograd.h)
    bool pixels = false;
    int64_t ins = 0, outs = 0;
    std::vector<float> w;
};

Packed pack_weights(const Conv2dGeometry& g, const float* w, bool transposed) {
    Packed p;
    p.ins = transposed ? g.O : g.C, p.outs = transposed ? g.C : g.O;
    p.pixels = p.outs % kPixelChannels == 0 && g.H * g.W <= 256;
    auto value = [&](int64_t in, int64_t out, int t) {
        return transposed ? w[(in * g.C + out) * kTaps + (kTaps - 1 - t)] : w[(out * g.C + in) * kTaps + t];
    };
    if (winograd_enabled.load(std::memory_order_relaxed) && winograd_applies(p.ins, p.outs)) {
        p.winograd = true;
        p.w = winograd_weights(p.ins, p.outs, value);
        return p;
    }
    if (p.pixels) {
        p.w.resize(static_cast<size_t>(p.ins * kTaps * p.outs));
        for (int64_t i = 0; i < p.ins; ++i)
            for (int t = 0; t < kTaps; ++t)
                for (int64_t o = 0; o < p.outs; ++o) p.w[static_cast<size_t>((i * kTaps + t) * p.outs + o)] = value(i, o, t);
        return p;
    }
    const int64_t blocks = (p.outs + kTileO - 1) / kTileO;
    p.w.assign(static_cast<size_t>(blocks * p.ins * kTaps * kTileO), 0.0f);
    for (int64_t ob = 0; ob < blocks; ++ob)
        for (int64_t i = 0; i < p.ins; ++i)
            for (int t = 0; t < kTaps; ++t)
                for (int m = 0; m < kTileO && ob * kTileO + m < p.outs; ++m)
                    p.w[static_cast<size_t>(((ob * p.ins + i) * kTaps + t) * kTileO + m)] = value(i, ob * kTileO + m, t);
    return p;
}

// Hands out pixel-major results outT (count images of HW rows of outs floats) as
// emit(image, out channel, offset in the plane, values, length): 16×16 blocks transposed in registers,
// the ragged pixels one by one.
template <typename Emit>
void emit_pixel_major(const float* outT, int64_t count, int64_t HW, int64_t outs, Emit&& emit) {
    alignas(64) float block[16][16];
    for (int64_t n = 0; n < count; ++n) {
        const float* src = outT + n * HW * outs;  // (HW, outs) for this image
        for (int64_t o0 = 0; o0 < outs; o0 += 16) {
            int64_t p0 = 0;
            for (; p0 + 16 <= HW; p0 += 16) {
                v16 r[16];
                for (int i = 0; i < 16; ++i) r[i] = load16(src + (p0 + i) * outs + o0);
                simd::transpose16(r);
                for (int i = 0; i < 16; ++i) store16(block[i], r[i]);
                for (int i = 0; i < 16; ++i) emit(n, o0 + i, p0, block[i], 16);
            }
            for (; p0 < HW; ++p0)
                for (int i = 0; i < 16; ++i) emit(n, o0 + i, p0, src + p0 * outs + o0 + i, 1);
        }
    }
}

// The channels-major kernel over every valid position of the chunk, handed out as
// emit(image, out channel, offset in the plane, values, length) like conv_stacked.
template <typename Emit>
void conv_pixels(const Stacked& s, const float* xs, const Packed& p, Emit&& emit) {
    thread_local std::vector<int32_t> positions;
    const int64_t HW = s.H * s.W, pixels = s.count * HW, padded = round_up(pixels, kPixelTile);
    positions.clear();
    for (int64_t n = 0; n < s.count; ++n)
        for (int64_t h = 0; h < s.H; ++h)
            for (int64_t w = 0; w < s.W; ++w) positions.push_back(static_cast<int32_t>(s.q(n, h) + w));
    positions.resize(static_cast<size_t>(padded), positions.back());  // the tail tile repeats a real position
    float* outT = thread_scratch(1, padded * p.outs);
    for (int64_t k = 0; k < padded; k += kPixelTile)
        for (int64_t ob = 0; ob < p.outs; ob += kPixelChannels)
            pixel_tile<kPixelTile, kPixelChannels / 16>(s, xs, p.ins, p.w.data(), p.outs, positions.data() + k, ob,
                                                        outT + k * p.outs);
    emit_pixel_major(outT, s.count, HW, p.outs, emit);
}

// Runs the kernel the packing chose on a chunk of images [n0, n0 + count) — `in` points at the first of
// them — stacked for the direct kernels, in L2-sized sub-chunks for Winograd, emitting with image
// indices of the whole batch: the shared part of forward and backward data. `values` is a pointer to
// floats from the direct kernels, a vector (simd::v16) from Winograd; emit handles both.
template <typename Emit>
void run_chunk(const Conv2dGeometry& g, const float* in, const Packed& p, int64_t n0, int64_t count, Emit&& emit) {
    if (p.winograd) {  // in sub-chunks whose transformed tiles stay in L2
        const int64_t HW = g.H * g.W, per = winograd_images_per_chunk(p.ins, p.outs, g.H, g.W);
        for (int64_t k = 0; k < count; k += per) {
            const int64_t part = std::min(per, count - k);
            const WinogradProducts m =
                winograd_products(p.w.data(), p.ins, p.outs, g.H, g.W, in + k * p.ins * HW, part);
            winograd_rows(m, part, [&](int64_t n, int64_t o, int64_t offset, simd::v16 values, int64_t length) {
                emit(n0 + k + n, o, offset, values, length);
            });
        }
        return;
    }
    const Stacked s(g.H, g.W, count);
    float* xs = thread_scratch(0, p.ins * s.plane);
    stack_images(s, p.ins, in, xs);
    auto shifted = [&](int64_t n, int64_t o, int64_t offset, const float* values, int64_t length) {
        emit(n0 + n, o, offset, values, length);
    };
    if (p.pixels) {
        conv_pixels(s, xs, p, shifted);
    } else {
        conv_stacked(s, xs, p.ins, p.w.data(), p.outs, shifted);
    }
}

// Backward data on images [n0, n0 + count), whose dy starts at dy_chunk, with weights packed transposed.
void backward_data_chunk(const Conv2dGeometry& g, const Packed& p, const float* dy_chunk, int64_t n0, int64_t count,
                         float beta, float* dx) {
    const int64_t HW = g.H * g.W;
    run_chunk(g, dy_chunk, p, n0, count, [&](int64_t n, int64_t c, int64_t offset, const auto& values, int64_t length) {
        simd::scale_add(dx + (n * g.C + c) * HW + offset, values, length, beta);
    });
}

// A 2×2 stride-2 unpadded pool: its windows are exactly the Winograd tiles' 2×2 outputs.
bool pooled_by_tiles(const Pool2dGeometry& pg) {
    return pg.kh == 2 && pg.kw == 2 && pg.stride_h == 2 && pg.stride_w == 2 && pg.pad_h == 0 && pg.pad_w == 0;
}

// The forward of conv + ReLU + such a pool on images [n0, n0 + count) with Winograd weights: each tile's
// four outputs, ReLU'd as copy_add_relu stores them, are pooled in registers as max_pool2d_forward
// does (window order (0,0), (0,1), (1,0), (1,1), the first largest or first NaN wins), so the
// convolution's own output is never stored. Tiles of an odd last row or column are in no window.
void winograd_relu_pool(const Conv2dGeometry& g, const Pool2dGeometry& pg, const Packed& p, const float* x,
                        const float* bias, int64_t n0, int64_t count, float* y, float* argmax) {
    using simd::v16;
    static const v16 lane2 = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
    const int64_t HW = g.H * g.W, per = winograd_images_per_chunk(p.ins, p.outs, g.H, g.W);
    const v16 one = simd::splat(1.0f), down = simd::splat(static_cast<float>(g.W));
    for (int64_t k = 0; k < count; k += per) {
        const int64_t part = std::min(per, count - k), first = n0 + k;
        const WinogradProducts m = winograd_products(p.w.data(), p.ins, p.outs, g.H, g.W, x + first * p.ins * HW, part);
        winograd_outputs(m, part, [&](int64_t n, int64_t o, int64_t th, int64_t tw, int64_t lane, int64_t length,
                                      const v16* t) {
            const int64_t kept = std::min(length, pg.Wo - tw);
            if (th >= pg.Ho || kept <= 0) return;
            const v16 add = simd::splat(bias ? bias[o] : 0.0f);
            const v16 r[4] = {simd::relu(t[0] + add), simd::relu(t[1] + add), simd::relu(t[2] + add),
                              simd::relu(t[3] + add)};
            const v16 base = simd::splat(static_cast<float>(2 * th * g.W + 2 * (tw - lane))) + lane2;
            const v16 where[4] = {base, base + one, base + down, base + down + one};
            v16 top = r[0], at = where[0];
            for (int i = 1; i < 4; ++i) {
                const simd::i16 beats = (r[i] > top) | ((r[i] != r[i]) & (top == top));
                top = simd::select(beats, r[i], top);
                at = simd::select(beats, where[i], at);
            }
            const int64_t offset = (((first + n) * g.O + o) * pg.Ho + th) * pg.Wo + tw - lane;
            simd::store_lanes(y + offset, top, lane, lane + kept);
            simd::store_lanes(argmax + offset, at, lane, lane + kept);
        });
    }
}

}  // namespace

void set_conv3x3_winograd(bool on) { winograd_enabled.store(on); }
bool conv3x3_winograd() { return winograd_enabled.load(); }

bool conv3x3_applies(const Conv2dGeometry& g) {
    // With few channels a tile's broadcast weights are mostly padding (and the first layer's single
    // input channel leaves little to vectorise): im2col + GEMM does better there. So it does on planes
    // under 16 pixels, where Winograd's 2×2 tiles are up to half padding and the GEMM's depth (9·C) is
    // large: AlexNet's 3×3 planes (192 → 384, 384 → 256, 256 → 256), forward and backward together,
    // 0.86×, 0.69×, 0.84× the time; its step 0.90× at 1 thread, 0.87× at 2.
    return g.kh == 3 && g.kw == 3 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 1 && g.pad_w == 1 &&
           std::min(g.C, g.O) >= kTileO && g.H * g.W >= 16;
}

void conv3x3_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y, bool relu,
                     const Pool2dGeometry* pool, float* argmax) {
    const Packed p = pack_weights(g, w, false);
    const int64_t HW = g.H * g.W;
    const int64_t per_chunk = p.winograd ? winograd_images_per_chunk(g.C, g.O, g.H, g.W) : stacked_images_per_chunk(g);
    const bool pool_tiles = pool && p.winograd && relu && pooled_by_tiles(*pool);
    for_each_chunk(plan_chunks(g.N, per_chunk, conv3x3_macs(g)), [&](int64_t n0, int64_t count, int64_t) {
        if (pool_tiles) return winograd_relu_pool(g, *pool, p, x, bias, n0, count, y, argmax);
        // With a pool, the chunk's output goes to a per-thread buffer, images counted from n0.
        float* out = pool ? thread_scratch(2, count * g.O * HW) : y;
        const int64_t first = pool ? n0 : 0;
        run_chunk(g, x + n0 * g.C * HW, p, n0, count,
                  [&](int64_t n, int64_t o, int64_t offset, const auto& values, int64_t length) {
                      float* dst = out + ((n - first) * g.O + o) * HW + offset;
                      const float add = bias ? bias[o] : 0.0f;
                      if (relu) {
                          simd::copy_add_relu(dst, values, length, add);
                      } else {
                          simd::copy_add(dst, values, length, add);
                      }
                  });
        if (!pool) return;
        Pool2dGeometry chunk = *pool;
        chunk.N = count;
        const int64_t at = n0 * g.O * pool->Ho * pool->Wo;
        max_pool2d_forward(chunk, out, y + at, argmax + at);  // serial: called inside the chunk loop
    });
}

void conv3x3_backward(const Conv2dGeometry& g, const float* x, const float* w, const ConvDy& src, float beta_dx,
                      float* dx, float beta_dw, float* dw, float beta_db, float* db) {
    const int64_t image = g.O * g.H * g.W;
    const Packed p = dx ? pack_weights(g, w, true) : Packed{};
    // A chunk's dy — masked (and unpooled) into a per-thread buffer while it is read, when a ReLU (and a
    // pool) followed — and, when dx is wanted, its backward data, so the filter kernel then finds that dy
    // in cache.
    auto chunk_dy = [&](int64_t n0, int64_t count) {
        const float* d = src.dy + n0 * image;
        if (src.pool) {
            Pool2dGeometry chunk = *src.pool;
            chunk.N = count;
            const int64_t pooled = count * g.O * chunk.Ho * chunk.Wo, at = n0 * g.O * chunk.Ho * chunk.Wo;
            float* masked = thread_scratch(2, pooled);
            simd::relu_mask(masked, src.relu_y + at, src.dy + at, pooled);
            float* full = thread_scratch(3, count * image);
            max_pool2d_backward(chunk, masked, src.argmax + at, 0.0f, full);  // serial, as in the forward
            d = full;
        } else if (src.relu_y) {
            float* masked = thread_scratch(3, count * image);
            simd::relu_mask(masked, src.relu_y + n0 * image, d, count * image);
            d = masked;
        }
        if (dx) backward_data_chunk(g, p, d, n0, count, beta_dx, dx);
        return d;
    };
    if (dw) return conv3x3_backward_filter(g, x, chunk_dy, beta_dw, dw, beta_db, db);
    PROBENET_CHECK(!src.pool || !db, "conv3x3_backward: the bias gradient alone is not computed through a pool");
    if (dx)
        for_each_chunk(plan_chunks(g.N, stacked_images_per_chunk(g), conv3x3_macs(g)),
                       [&](int64_t n0, int64_t count, int64_t) { chunk_dy(n0, count); });
    if (db) conv2d_backward_bias(g, src.dy, beta_db, db, src.relu_y);
}

}  // namespace probenet::cpu
