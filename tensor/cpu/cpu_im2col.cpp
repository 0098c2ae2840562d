// im2col / col2im for NCHW images (see cpu_im2col.h).
//
// Each patch-matrix row (c, i, j) is the input plane c read at offset (i − pad_h, j − pad_w) on the
// output grid. Two ways to move it:
//  - "same" stride-1 convolutions (Ho = H, Wo = W: 3×3 pad 1, 5×5 pad 2, …), the common case: the
//    row is the whole plane shifted by s = (i − pad_h)·W + (j − pad_w), one contiguous copy (or add),
//    after which only the |j − pad_w| columns per output row that wrapped around to the neighbouring
//    input row are wrong; im2col zeroes them afterwards, col2im zeroes them in the (scratch) patch
//    row before adding, and the rows that fall in the vertical padding are zero / skipped.
//  - otherwise, one segment per output row: output columns [lo, hi) read inside the image, the rest
//    is padding. Small loops, no library calls, since segments are as short as Wo.
#include "tensor/cpu/cpu_im2col.h"

#include <algorithm>
#include <cstring>

namespace probenet::cpu {

namespace {

inline void zero(float* p, int64_t n) {
    for (int64_t k = 0; k < n; ++k) p[k] = 0.0f;
}

// The output columns [lo, hi) whose input column ow·stride + offset lies in [0, W).
struct ColumnRange {
    int64_t lo, hi;
};

ColumnRange valid_columns(int64_t W, int64_t Wo, int64_t stride, int64_t offset) {
    const int64_t lo = std::min(Wo, offset >= 0 ? 0 : (-offset + stride - 1) / stride);
    const int64_t last = W - 1 - offset;  // ow·stride must not exceed this
    const int64_t hi = last < 0 ? 0 : std::min(Wo, last / stride + 1);
    return {lo, std::max(hi, lo)};
}

// The output rows [lo, hi) whose input row oh·stride + offset lies in [0, H).
ColumnRange valid_rows(int64_t H, int64_t Ho, int64_t stride, int64_t offset) {
    return valid_columns(H, Ho, stride, offset);
}

bool is_same_stride1(const Conv2dGeometry& g) {
    return g.stride_h == 1 && g.stride_w == 1 && g.Ho == g.H && g.Wo == g.W;
}

// Zeroes, in a patch row laid out as Ho rows of W, the columns of rows [r0, r1) that a horizontal
// shift by dj wrapped into the neighbouring input row.
inline void zero_wrapped(float* row, int64_t W, int64_t r0, int64_t r1, int64_t dj) {
    if (dj == 0) return;
    const int64_t n = std::min(dj < 0 ? -dj : dj, W), start = dj < 0 ? 0 : W - n;
    for (int64_t r = r0; r < r1; ++r) zero(row + r * W + start, n);
}

}  // namespace

void im2col(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld) {
    const int64_t plane = g.H * g.W, P = g.output_plane();
    if (is_same_stride1(g)) {
        for (int64_t c = 0; c < g.C; ++c)
            for (int64_t i = 0; i < g.kh; ++i)
                for (int64_t j = 0; j < g.kw; ++j) {
                    float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                    const float* src = x + c * plane;
                    const int64_t di = i - g.pad_h, dj = j - g.pad_w, shift = di * g.W + dj;
                    const ColumnRange rows = valid_rows(g.H, g.Ho, 1, di);
                    // row[d] = src[d + shift] for d in [a, b): the valid rows, clipped to the plane.
                    const int64_t a = std::max(rows.lo * g.W, -shift), b = std::min(rows.hi * g.W, plane - shift);
                    zero(row, a);
                    if (b > a) std::memcpy(row + a, src + a + shift, static_cast<size_t>(b - a) * sizeof(float));
                    zero(row + std::max(a, b), P - std::max(a, b));
                    zero_wrapped(row, g.W, rows.lo, rows.hi, dj);
                }
        return;
    }
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                const int64_t offset = j - g.pad_w;
                const ColumnRange r = valid_columns(g.W, g.Wo, g.stride_w, offset);
                for (int64_t oh = 0; oh < g.Ho; ++oh) {
                    float* out = row + oh * g.Wo;
                    const int64_t ih = oh * g.stride_h - g.pad_h + i;
                    if (ih < 0 || ih >= g.H) {
                        zero(out, g.Wo);
                        continue;
                    }
                    const float* in = x + c * plane + ih * g.W;  // in[ow·stride + offset] for ow in [lo, hi)
                    zero(out, r.lo);
                    if (g.stride_w == 1) {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = in[ow + offset];
                    } else {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = in[ow * g.stride_w + offset];
                    }
                    zero(out + r.hi, g.Wo - r.hi);
                }
            }
}

void col2im_add(const Conv2dGeometry& g, float* cols, int64_t ld, float* x) {
    const int64_t plane = g.H * g.W;
    if (is_same_stride1(g)) {
        for (int64_t c = 0; c < g.C; ++c)
            for (int64_t i = 0; i < g.kh; ++i)
                for (int64_t j = 0; j < g.kw; ++j) {
                    float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                    float* dst = x + c * plane;
                    const int64_t di = i - g.pad_h, dj = j - g.pad_w, shift = di * g.W + dj;
                    const ColumnRange rows = valid_rows(g.H, g.Ho, 1, di);
                    zero_wrapped(row, g.W, rows.lo, rows.hi, dj);  // padding positions must not be added
                    const int64_t a = std::max(rows.lo * g.W, -shift), b = std::min(rows.hi * g.W, plane - shift);
#pragma omp simd
                    for (int64_t d = a; d < b; ++d) dst[d + shift] += row[d];  // d + shift is inside the plane
                }
        return;
    }
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                const float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                const int64_t offset = j - g.pad_w;
                const ColumnRange r = valid_columns(g.W, g.Wo, g.stride_w, offset);
                for (int64_t oh = 0; oh < g.Ho; ++oh) {
                    const int64_t ih = oh * g.stride_h - g.pad_h + i;
                    if (ih < 0 || ih >= g.H) continue;
                    const float* in = row + oh * g.Wo;
                    float* out = x + c * plane + ih * g.W;
                    if (g.stride_w == 1) {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow + offset] += in[ow];
                    } else {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow * g.stride_w + offset] += in[ow];
                    }
                }
            }
}

}  // namespace probenet::cpu
