// im2col / col2im for NCHW images (see cpu_im2col.h). Both walk the patch matrix row by row; for a
// row (c, i, j) and output row oh the input row is fixed, and only the output columns ow in
// [ow_lo, ow_hi) read inside the image, so the inner loop is a branch-free (strided) copy or add,
// a contiguous one when stride_w = 1, with zeros written for the padding on both sides.
#include "tensor/cpu/cpu_im2col.h"

#include <algorithm>

namespace probenet::cpu {

namespace {

// The output columns [lo, hi) whose input column ow·stride + offset lies in [0, W).
struct ColumnRange {
    int64_t lo, hi;
};

ColumnRange valid_columns(int64_t W, int64_t Wo, int64_t stride, int64_t offset) {
    const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    const int64_t last = W - 1 - offset;  // ow·stride must not exceed this
    const int64_t hi = last < 0 ? 0 : std::min(Wo, last / stride + 1);
    return {std::min(lo, Wo), std::max(hi, std::min(lo, Wo))};
}

}  // namespace

void im2col(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld) {
    const int64_t sh = g.stride_h, sw = g.stride_w;
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                const int64_t offset = j - g.pad_w;
                const ColumnRange r = valid_columns(g.W, g.Wo, sw, offset);
                for (int64_t oh = 0; oh < g.Ho; ++oh) {
                    float* out = row + oh * g.Wo;
                    const int64_t ih = oh * sh - g.pad_h + i;
                    if (ih < 0 || ih >= g.H) {
                        std::fill(out, out + g.Wo, 0.0f);
                        continue;
                    }
                    const float* in = x + (c * g.H + ih) * g.W;  // in[ow·sw + offset] for ow in [lo, hi)
                    std::fill(out, out + r.lo, 0.0f);
                    if (sw == 1) {
#pragma omp simd
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = in[ow + offset];
                    } else {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow] = in[ow * sw + offset];
                    }
                    std::fill(out + r.hi, out + g.Wo, 0.0f);
                }
            }
}

void col2im_add(const Conv2dGeometry& g, const float* cols, int64_t ld, float* x) {
    const int64_t sh = g.stride_h, sw = g.stride_w;
    for (int64_t c = 0; c < g.C; ++c)
        for (int64_t i = 0; i < g.kh; ++i)
            for (int64_t j = 0; j < g.kw; ++j) {
                const float* row = cols + ((c * g.kh + i) * g.kw + j) * ld;
                const int64_t offset = j - g.pad_w;
                const ColumnRange r = valid_columns(g.W, g.Wo, sw, offset);
                for (int64_t oh = 0; oh < g.Ho; ++oh) {
                    const int64_t ih = oh * sh - g.pad_h + i;
                    if (ih < 0 || ih >= g.H) continue;
                    const float* in = row + oh * g.Wo;
                    float* out = x + (c * g.H + ih) * g.W;
                    if (sw == 1) {
#pragma omp simd
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow + offset] += in[ow];
                    } else {
                        for (int64_t ow = r.lo; ow < r.hi; ++ow) out[ow * sw + offset] += in[ow];
                    }
                }
            }
}

}  // namespace probenet::cpu
