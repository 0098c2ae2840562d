// Direct 3×3 stride-1 padding-1 convolution kernels on the stacked layout (see cpu_conv3x3.h).
//
#include "tensor/cpu/cpu_conv3x3.h"

#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

namespace {

using simd::load16;
using simd::splat;
using simd::store16;
using simd::v16;

#ifdef __AVX512F__
constexpr int kTileO = 8;    // output channels per forward tile (weights broadcast)
constexpr int kTileV = 3;    // 16-float vectors of positions per forward tile: 24 accumulators
constexpr int kFilterC = 2;  // input channels per filter-gradient block: 18 accumulators
#else
constexpr int kTileO = 4;
constexpr int kTileV = 1;
constexpr int kFilterC = 1;
#endif
constexpr int kTaps = 9;
constexpr int64_t kStackFloats = 1 << 16;  // 256 KB: stacked input and kernel output of a chunk stay in L2

int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// The stacked layout of `count` images of H×W (see cpu_conv3x3.h): rows of Wp = W + 1 floats, a zero
// row on top and one after every image; each channel's plane is followed by enough zeros that no
// read of the kernels leaves it (the last tile's overrun and the bottom-right tap of the last pixel).
struct Stacked {
    int64_t H, W, count, Wp, rows, plane;
    Stacked(int64_t h, int64_t w, int64_t n) : H(h), W(w), count(n), Wp(w + 1), rows(1 + n * (h + 1)) {
        plane = round_up(rows * Wp + Wp + 16 * kTileV + 16, 16);
    }
    // Position q of output row h of image n; output (n, h, w) is q(n, h) + w.
    int64_t q(int64_t n, int64_t h) const { return (n * (H + 1) + h) * Wp; }
    // One past the last valid output position.
    int64_t q_end() const { return q(count - 1, H - 1) + W; }
};

// dst (channels planes of s.plane) ← images (count, channels, H, W) in the stacked layout.
void stack_images(const Stacked& s, int64_t channels, const float* images, float* dst) {
    const int64_t image = channels * s.H * s.W;
    for (int64_t c = 0; c < channels; ++c) {
        float* plane = dst + c * s.plane;
        std::fill(plane, plane + s.Wp, 0.0f);  // top padding row
        for (int64_t n = 0; n < s.count; ++n) {
            const float* src = images + n * image + c * s.H * s.W;
            float* row = plane + (1 + n * (s.H + 1)) * s.Wp;
            for (int64_t h = 0; h < s.H; ++h, row += s.Wp) {
                row[0] = 0.0f;  // left padding of this row, right padding of the one above
                simd::copy_add(row + 1, src + h * s.W, s.W, 0.0f);
            }
            std::fill(row, row + s.Wp, 0.0f);  // the row between this image and the next
        }
        std::fill(plane + s.rows * s.Wp, plane + s.plane, 0.0f);
    }
}

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
// handed over run by run as emit(image, out channel, row, column, values, length).
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
                    emit(runs[r].n, ob * kTileO + m, runs[r].h, runs[r].w, tile + m * kTile + runs[r].offset,
                         runs[r].length);
        }
    }
}

// Packs w (O, C, 3, 3) for conv_stacked. Forward: wp[ob][c][t][m] = w[ob·kTileO + m][c][t].
// Backward data (transposed): the roles of O and C swap and the taps flip,
// wp[cb][o][t][m] = w[o][cb·kTileO + m][8 − t]. Missing channels of the last block are zeros.
std::vector<float> pack_weights(const Conv2dGeometry& g, const float* w, bool transposed) {
    const int64_t outs = transposed ? g.C : g.O, ins = transposed ? g.O : g.C;
    const int64_t blocks = (outs + kTileO - 1) / kTileO;
    std::vector<float> wp(static_cast<size_t>(blocks * ins * kTaps * kTileO), 0.0f);
    for (int64_t ob = 0; ob < blocks; ++ob)
        for (int64_t i = 0; i < ins; ++i)
            for (int t = 0; t < kTaps; ++t)
                for (int m = 0; m < kTileO; ++m) {
                    const int64_t o = ob * kTileO + m;
                    if (o >= outs) continue;
                    const float v = transposed ? w[(i * g.C + o) * kTaps + (kTaps - 1 - t)] : w[(o * g.C + i) * kTaps + t];
                    wp[static_cast<size_t>(((ob * ins + i) * kTaps + t) * kTileO + m)] = v;
                }
    return wp;
}

int64_t images_per_chunk(const Conv2dGeometry& g) {
    const int64_t per_image = std::max(g.C, g.O) * (g.H + 1) * (g.W + 1);
    return std::max<int64_t>(1, kStackFloats / per_image);
}

int64_t macs(const Conv2dGeometry& g) { return g.N * g.O * g.C * kTaps * g.H * g.W; }

// Stacks a chunk of `in` images (in_channels each) and runs conv_stacked on it, emitting with image
// indices of the whole batch: the shared part of forward and backward data.
template <typename Emit>
void run_stacked(const Conv2dGeometry& g, const float* in, int64_t in_channels, const std::vector<float>& wp,
                 int64_t out_channels, int64_t n0, int64_t count, Emit&& emit) {
    const Stacked s(g.H, g.W, count);
    float* xs = thread_scratch(0, in_channels * s.plane);
    stack_images(s, in_channels, in + n0 * in_channels * g.H * g.W, xs);
    conv_stacked(s, xs, in_channels, wp.data(), out_channels,
                 [&](int64_t n, int64_t o, int64_t h, int64_t w, const float* values, int64_t length) {
                     emit(n0 + n, o, h, w, values, length);
                 });
}

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

bool conv3x3_applies(const Conv2dGeometry& g) {
    // With few channels a tile's broadcast weights are mostly padding (and the first layer's single
    // input channel leaves little to vectorise): im2col + GEMM does better there.
    return g.kh == 3 && g.kw == 3 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 1 && g.pad_w == 1 &&
           std::min(g.C, g.O) >= kTileO;
}

void conv3x3_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y) {
    const std::vector<float> wp = pack_weights(g, w, false);
    const int64_t HW = g.H * g.W;
    for_each_chunk(plan_chunks(g.N, images_per_chunk(g), macs(g)), [&](int64_t n0, int64_t count, int64_t) {
        run_stacked(g, x, g.C, wp, g.O, n0, count,
                    [&](int64_t n, int64_t o, int64_t h, int64_t w, const float* values, int64_t length) {
                        simd::copy_add(y + (n * g.O + o) * HW + h * g.W + w, values, length, bias ? bias[o] : 0.0f);
                    });
    });
}

void conv3x3_backward_data(const Conv2dGeometry& g, const float* dy, const float* w, float beta, float* dx) {
    const std::vector<float> wp = pack_weights(g, w, true);
    const int64_t HW = g.H * g.W;
    for_each_chunk(plan_chunks(g.N, images_per_chunk(g), macs(g)), [&](int64_t n0, int64_t count, int64_t) {
        run_stacked(g, dy, g.O, wp, g.C, n0, count,
                    [&](int64_t n, int64_t c, int64_t h, int64_t w, const float* values, int64_t length) {
                        simd::scale_add(dx + (n * g.C + c) * HW + h * g.W + w, values, length, beta);
                    });
    });
}

void conv3x3_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float beta, float* dw,
                             float beta_db, float* db) {
    const int64_t HW = g.H * g.W, o_stride = round_up(g.O, 16), weights = g.C * kTaps * o_stride;
    const int64_t size = weights + o_stride;  // a slot: dw as [c][t][o], then db [o]
    ChunkPlan plan = plan_chunks(g.N, images_per_chunk(g), macs(g));
    const int64_t slots = plan_partials(plan, size);
    std::vector<float> partial(static_cast<size_t>(slots * size), 0.0f);
    for_each_chunk(plan, [&](int64_t n0, int64_t count, int64_t slot) {
        const Stacked s(g.H, g.W, count);
        float* xs = thread_scratch(0, g.C * s.plane);
        float* dyT = thread_scratch(2, count * HW * o_stride);  // dy as pixel-major rows, zero-padded to o_stride
        stack_images(s, g.C, x + n0 * g.C * HW, xs);
        for (int64_t n = 0; n < count; ++n) transpose_image(dy + (n0 + n) * g.O * HW, g.O, HW, o_stride, dyT + n * HW * o_stride);
        float* mine = partial.data() + slot * size;
        for (int64_t c0 = 0; c0 < g.C; c0 += kFilterC)
            for (int64_t ob = 0; ob < o_stride; ob += 16) {
                const float* xc = xs + c0 * s.plane;
                float* p = mine + c0 * kTaps * o_stride + ob;
                switch (std::min<int64_t>(kFilterC, g.C - c0)) {
                    case 3: filter_block<3>(s, xc, dyT + ob, o_stride, p); break;
                    case 2: filter_block<2>(s, xc, dyT + ob, o_stride, p); break;
                    default: filter_block<1>(s, xc, dyT + ob, o_stride, p); break;
                }
            }
        if (db)  // the bias gradient: column sums of the transposed dy, 16 channels at a time
            for (int64_t ob = 0; ob < o_stride; ob += 16) {
                v16 sum = splat(0.0f);
                for (int64_t p = 0; p < count * HW; ++p) sum += load16(dyT + p * o_stride + ob);
                store16(mine + weights + ob, sum);
            }
    });
    for (int64_t o = 0; o < g.O; ++o)
        for (int64_t c = 0; c < g.C; ++c)
            for (int t = 0; t < kTaps; ++t) {
                float sum = 0.0f;
                for (int64_t k = 0; k < slots; ++k) sum += partial[static_cast<size_t>(k * size + (c * kTaps + t) * o_stride + o)];
                float& out = dw[(o * g.C + c) * kTaps + t];
                out = beta == 0.0f ? sum : beta * out + sum;
            }
    if (!db) return;
    for (int64_t o = 0; o < g.O; ++o) {
        double sum = 0;
        for (int64_t k = 0; k < slots; ++k) sum += partial[static_cast<size_t>(k * size + weights + o)];
        db[o] = beta_db == 0.0f ? static_cast<float>(sum) : beta_db * db[o] + static_cast<float>(sum);
    }
}

}  // namespace probenet::cpu
