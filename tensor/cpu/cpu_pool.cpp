// CPU max and average pooling, NCHW: one OpenMP task per (n, c) plane, so no two threads ever
// write the same input gradient element and overlapping windows need no atomics; planes are handed
// out in groups of 16 on demand, so a thread slowed by another job on its core does not hold the rest.
//
// For output (oh, ow) the window covers input rows [oh·stride_h − pad_h, … + kh) clipped to [0, H),
// columns likewise. Max: the first largest element in row-major window order (strict >), its plane
// index h·W + w kept as a float for backward; a NaN in the window wins (the first one), as in
// PyTorch, so it is not hidden. Average: the window sum over real elements divided by kh·kw
// (padding counts as zeros, PyTorch's count_include_pad=True). The 2×2 stride-2 pooling of the
// paper's CNN has its own branch-free kernel.
#include <omp.h>

#include <algorithm>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

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

inline bool is_two_by_two(const Pool2dGeometry& g) {
    return g.kh == 2 && g.kw == 2 && g.stride_h == 2 && g.stride_w == 2 && g.pad_h == 0 && g.pad_w == 0;
}

// v beats the current maximum: strictly larger (so the first of equals stays), or the first NaN.
inline bool beats(float v, float top) { return v > top || (v != v && top == top); }

// The 2×2 stride-2 unpadded pooling of the paper's CNN: every window lies inside the plane. Window
// order: (0,0), (0,1), (1,0), (1,1). Comparisons of post-ReLU data (many exact zeros, random order)
// mispredict as branches, so the AVX-512 version does 16 outputs of a row at once with compare masks
// and blends: masked loads of the two input rows, split into even and odd columns by permutes.
#ifdef __AVX512F__
inline __mmask16 beats16(__m512 v, __m512 top) {
    return _mm512_cmp_ps_mask(v, top, _CMP_GT_OQ) |
           (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(top, top, _CMP_ORD_Q));
}

void max_pool_2x2(const Pool2dGeometry& g, const float* xp, float* yp, float* ap) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 lane2 = _mm512_setr_ps(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512 one = _mm512_set1_ps(1.0f), down = _mm512_set1_ps(static_cast<float>(g.W));
    for (int64_t oh = 0; oh < g.Ho; ++oh) {
        const float* r0 = xp + 2 * oh * g.W;
        const float* r1 = r0 + g.W;
        for (int64_t ow = 0; ow < g.Wo; ow += 16) {
            const int n = static_cast<int>(std::min<int64_t>(16, g.Wo - ow));  // outputs; 2n inputs per row
            const __mmask16 lo = static_cast<__mmask16>(n >= 8 ? 0xFFFF : (1u << (2 * n)) - 1);
            const __mmask16 hi = static_cast<__mmask16>(n <= 8 ? 0 : (1u << (2 * n - 16)) - 1);
            const __m512 a0 = _mm512_maskz_loadu_ps(lo, r0 + 2 * ow), a1 = _mm512_maskz_loadu_ps(hi, r0 + 2 * ow + 16);
            const __m512 b0 = _mm512_maskz_loadu_ps(lo, r1 + 2 * ow), b1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * ow + 16);
            const __m512 v[4] = {_mm512_permutex2var_ps(a0, even, a1), _mm512_permutex2var_ps(a0, odd, a1),
                                 _mm512_permutex2var_ps(b0, even, b1), _mm512_permutex2var_ps(b0, odd, b1)};
            const __m512 base = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(2 * oh * g.W + 2 * ow)), lane2);
            const __m512 where[4] = {base, _mm512_add_ps(base, one), _mm512_add_ps(base, down),
                                     _mm512_add_ps(_mm512_add_ps(base, down), one)};
            __m512 top = v[0], at = where[0];
            for (int k = 1; k < 4; ++k) {
                const __mmask16 m = beats16(v[k], top);
                top = _mm512_mask_blend_ps(m, top, v[k]);
                at = _mm512_mask_blend_ps(m, at, where[k]);
            }
            const __mmask16 out = static_cast<__mmask16>((1u << n) - 1);
            _mm512_mask_storeu_ps(yp + oh * g.Wo + ow, out, top);
            _mm512_mask_storeu_ps(ap + oh * g.Wo + ow, out, at);
        }
    }
}

// The backward of max_pool_2x2 for beta = 0 in one pass that writes every element of the plane once
// (no zero-fill first): each 2×2 window gets dy at its argmax and zeros elsewhere, built 16 windows
// at a time and interleaved back into the two input rows; a last odd row or column gets zeros.
void max_pool_2x2_backward(const Pool2dGeometry& g, const float* dyp, const float* ap, float* dxp) {
    const __m512i lo_half = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi_half = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    const __m512 lane2 = _mm512_setr_ps(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512 one = _mm512_set1_ps(1.0f), down = _mm512_set1_ps(static_cast<float>(g.W));
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t oh = 0; oh < g.Ho; ++oh) {
        float* r0 = dxp + 2 * oh * g.W;
        float* r1 = r0 + g.W;
        for (int64_t ow = 0; ow < g.Wo; ow += 16) {
            const int n = static_cast<int>(std::min<int64_t>(16, g.Wo - ow));
            const __mmask16 out = static_cast<__mmask16>((1u << n) - 1);
            const __m512 d = _mm512_maskz_loadu_ps(out, dyp + oh * g.Wo + ow);
            const __m512 a = _mm512_maskz_loadu_ps(out, ap + oh * g.Wo + ow);
            const __m512 base = _mm512_add_ps(_mm512_set1_ps(static_cast<float>(2 * oh * g.W + 2 * ow)), lane2);
            auto pick = [&](__m512 where) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, where, _CMP_EQ_OQ), zero, d); };
            const __m512 e0 = pick(base), o0 = pick(_mm512_add_ps(base, one));
            const __m512 e1 = pick(_mm512_add_ps(base, down)), o1 = pick(_mm512_add_ps(_mm512_add_ps(base, down), one));
            const __mmask16 lo = static_cast<__mmask16>(n >= 8 ? 0xFFFF : (1u << (2 * n)) - 1);
            const __mmask16 hi = static_cast<__mmask16>(n <= 8 ? 0 : (1u << (2 * n - 16)) - 1);
            _mm512_mask_storeu_ps(r0 + 2 * ow, lo, _mm512_permutex2var_ps(e0, lo_half, o0));
            _mm512_mask_storeu_ps(r0 + 2 * ow + 16, hi, _mm512_permutex2var_ps(e0, hi_half, o0));
            _mm512_mask_storeu_ps(r1 + 2 * ow, lo, _mm512_permutex2var_ps(e1, lo_half, o1));
            _mm512_mask_storeu_ps(r1 + 2 * ow + 16, hi, _mm512_permutex2var_ps(e1, hi_half, o1));
        }
        if (g.W > 2 * g.Wo) r0[g.W - 1] = r1[g.W - 1] = 0.0f;  // an odd last column is in no window
    }
    if (g.H > 2 * g.Ho) std::fill(dxp + (g.H - 1) * g.W, dxp + g.H * g.W, 0.0f);  // nor an odd last row
}
#define PROBENET_POOL_2X2_BACKWARD 1
#else
void max_pool_2x2(const Pool2dGeometry& g, const float* xp, float* yp, float* ap) {
    for (int64_t oh = 0; oh < g.Ho; ++oh)
        for (int64_t ow = 0; ow < g.Wo; ++ow) {
            const int64_t base = 2 * oh * g.W + 2 * ow;
            const int64_t where[4] = {base, base + 1, base + g.W, base + g.W + 1};
            int64_t at = base;
            for (int k = 1; k < 4; ++k)
                if (beats(xp[where[k]], xp[at])) at = where[k];
            yp[oh * g.Wo + ow] = xp[at];
            ap[oh * g.Wo + ow] = static_cast<float>(at);
        }
}
#endif

}  // namespace

void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const bool two_by_two = is_two_by_two(g);
#pragma omp parallel for schedule(dynamic, 16) if (g.planes() * out_plane * g.kh * g.kw > kParallelMin && !omp_in_parallel())
    for (int64_t p = 0; p < g.planes(); ++p) {
        const float* xp = x + p * in_plane;
        float* yp = y + p * out_plane;
        float* ap = argmax + p * out_plane;
        if (two_by_two) {
            max_pool_2x2(g, xp, yp, ap);
            continue;
        }
        for (int64_t oh = 0; oh < g.Ho; ++oh)
            for (int64_t ow = 0; ow < g.Wo; ++ow) {
                const Window r = window(g, oh, ow);
                int64_t best = r.h0 * g.W + r.w0;  // padding ≤ kernel/2: every window has a real element
                float top = xp[best];
                for (int64_t h = r.h0; h < r.h1; ++h)
                    for (int64_t w = r.w0; w < r.w1; ++w) {
                        const float v = xp[h * g.W + w];
                        if (beats(v, top)) top = v, best = h * g.W + w;
                    }
                yp[oh * g.Wo + ow] = xp[best];
                ap[oh * g.Wo + ow] = static_cast<float>(best);
            }
    }
}

void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta, float* dx) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    [[maybe_unused]] const bool two_by_two = is_two_by_two(g);
#pragma omp parallel for schedule(dynamic, 16) if (g.planes() * in_plane > kParallelMin && !omp_in_parallel())
    for (int64_t p = 0; p < g.planes(); ++p) {
        float* dxp = dx + p * in_plane;
        const float* dyp = dy + p * out_plane;
        const float* ap = argmax + p * out_plane;
#ifdef PROBENET_POOL_2X2_BACKWARD
        if (beta == 0.0f && two_by_two) {
            max_pool_2x2_backward(g, dyp, ap, dxp);
            continue;
        }
#endif
        scale_plane(dxp, in_plane, beta);
        for (int64_t o = 0; o < out_plane; ++o) dxp[static_cast<int64_t>(ap[o])] += dyp[o];
    }
}

void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) {
    const int64_t in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const float inv = 1.0f / static_cast<float>(g.kh * g.kw);
#pragma omp parallel for schedule(dynamic, 16) if (g.planes() * out_plane * g.kh * g.kw > kParallelMin)
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
#pragma omp parallel for schedule(dynamic, 16) if (g.planes() * in_plane > kParallelMin)
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
