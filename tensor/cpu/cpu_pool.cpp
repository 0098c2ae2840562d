// CPU max and average pooling, NCHW: one OpenMP task per (n, c) plane, so no two threads ever
// write the same input gradient element and overlapping windows need no atomics.
//
// For output (oh, ow) the window covers input rows [oh·stride_h − pad_h, … + kh) clipped to [0, H),
// columns likewise. Max: the first largest element in row-major window order (strict >), its plane
// index h·W + w kept as a float for backward;
// a NaN in the window wins (the first one), as in PyTorch, so it is not hidden. Average: the window sum over real elements divided by
// kh·kw (padding counts as zeros, PyTorch's count_include_pad=True).
#include <algorithm>

#include "tensor/cpu/cpu_conv.h"

namespace probenet::cpu {

namespace {

constexpr int64_t kParallelMin = 1 << 15;

struct Window {
    int64_t h0, h1, w0, w1;  // clipped input rows [h0, h1) and columns [w0, w1)
};

inline Window window(const Pool2dGeometry& g, int64_t oh, int64_t ow) {
    const int64_t h = oh * g.stride_h - g.pad_h, w = ow * g.stride_w - g.pad_w;
    return {std::max<int64_t>(h, 0), std::min(h + g.kh, g.H), std::max<int64_t>(w, 0), std::min(w + g.kw, g.W)};
}

// dx_plane = beta · dx_plane, with beta = 0 overwriting whatever was there (even NaN).
inline void scale_plane(float* plane, int64_t n, float beta) {
    if (beta == 0.0f) {
        std::fill(plane, plane + n, 0.0f);
    } else if (beta != 1.0f) {
        for (int64_t i = 0; i < n; ++i) plane[i] *= beta;
    }
}

}  // namespace

void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
#pragma omp parallel for if (g.planes() * out_plane * g.kh * g.kw > kParallelMin)
    for (int64_t p = 0; p < g.planes(); ++p) {
        const float* xp = x + p * in_plane;
        float* yp = y + p * out_plane;
        float* ap = argmax + p * out_plane;
        for (int64_t oh = 0; oh < g.Ho; ++oh)
            for (int64_t ow = 0; ow < g.Wo; ++ow) {
                const Window r = window(g, oh, ow);
                int64_t best = r.h0 * g.W + r.w0;  // padding ≤ kernel/2: every window has a real element
                float top = xp[best];
                for (int64_t h = r.h0; h < r.h1; ++h)
                    for (int64_t w = r.w0; w < r.w1; ++w) {
                        const float v = xp[h * g.W + w];
                        if (v > top || (v != v && top == top)) top = v, best = h * g.W + w;  // NaN propagates
                    }
                yp[oh * g.Wo + ow] = xp[best];
                ap[oh * g.Wo + ow] = static_cast<float>(best);
            }
    }
}

void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta, float* dx) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
#pragma omp parallel for if (g.planes() * in_plane > kParallelMin)
    for (int64_t p = 0; p < g.planes(); ++p) {
        float* dxp = dx + p * in_plane;
        const float* dyp = dy + p * out_plane;
        const float* ap = argmax + p * out_plane;
        scale_plane(dxp, in_plane, beta);
        for (int64_t o = 0; o < out_plane; ++o) dxp[static_cast<int64_t>(ap[o])] += dyp[o];
    }
}

void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const float inv = 1.0f / static_cast<float>(g.kh * g.kw);
#pragma omp parallel for if (g.planes() * out_plane * g.kh * g.kw > kParallelMin)
    for (int64_t p = 0; p < g.planes(); ++p) {
        const float* xp = x + p * in_plane;
        float* yp = y + p * out_plane;
        for (int64_t oh = 0; oh < g.Ho; ++oh)
            for (int64_t ow = 0; ow < g.Wo; ++ow) {
                const Window r = window(g, oh, ow);
                float s = 0.0f;
                for (int64_t h = r.h0; h < r.h1; ++h)
                    for (int64_t w = r.w0; w < r.w1; ++w) s += xp[h * g.W + w];
                yp[oh * g.Wo + ow] = s * inv;
            }
    }
}

void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const float inv = 1.0f / static_cast<float>(g.kh * g.kw);
#pragma omp parallel for if (g.planes() * in_plane > kParallelMin)
    for (int64_t p = 0; p < g.planes(); ++p) {
        float* dxp = dx + p * in_plane;
        const float* dyp = dy + p * out_plane;
        scale_plane(dxp, in_plane, beta);
        for (int64_t oh = 0; oh < g.Ho; ++oh)
            for (int64_t ow = 0; ow < g.Wo; ++ow) {
                const Window r = window(g, oh, ow);
                const float share = dyp[oh * g.Wo + ow] * inv;
                for (int64_t h = r.h0; h < r.h1; ++h)
                    for (int64_t w = r.w0; w < r.w1; ++w) dxp[h * g.W + w] += share;
            }
    }
}

}  // namespace probenet::cpu
