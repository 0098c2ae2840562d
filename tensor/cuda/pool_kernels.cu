// Pooling kernels (contracts in pool_kernels.h).
//
// Forward: one thread per output element walks its clipped window in row-major order, exactly as
// the CPU loop does, so values and argmax indices are bit-identical to the CPU's.
// Backward: one thread per INPUT element gathers from the outputs whose windows contain it,
//     oh ∈ [max(0, ⌊(h + pad_h − kh) / stride_h⌋ + 1), min(Ho − 1, ⌊(h + pad_h) / stride_h⌋)], ow likewise,
// in increasing (oh, ow) order, starting from β·dx. That is the order in which the CPU's scatter
// adds into each element, so overlapping windows need no atomics and max backward is bit-identical;
// the share dy/(kh·kw) of avg backward is rounded on its own (__fmul_rn), as the CPU's variable is.
#include "tensor/cuda/pool_kernels.h"

#include "tensor/cuda/launch_utils.cuh"

namespace probenet::cuda_detail {

namespace {

// Everything a kernel needs from the geometry, by value.
struct PoolShape {
    int64_t planes, H, W, Ho, Wo, kh, kw, sh, sw, ph, pw;
};

PoolShape shape_of(const Pool2dGeometry& g) {
    return {g.planes(), g.H, g.W, g.Ho, g.Wo, g.kh, g.kw, g.stride_h, g.stride_w, g.pad_h, g.pad_w};
}

// The clipped window of output (oh, ow): rows [h0, h1), columns [w0, w1).
struct Window {
    int64_t h0, h1, w0, w1;
};
__device__ inline Window window(const PoolShape& s, int64_t oh, int64_t ow) {
    const int64_t h = oh * s.sh - s.ph, w = ow * s.sw - s.pw;
    return {h > 0 ? h : 0, min(h + s.kh, s.H), w > 0 ? w : 0, min(w + s.kw, s.W)};
}

// The outputs along one axis whose windows contain input coordinate i: [first, last].
__device__ inline void covering(int64_t i, int64_t pad, int64_t k, int64_t stride, int64_t outputs, int64_t& first,
                                int64_t& last) {
    const int64_t p = i + pad;
    first = p < k ? 0 : (p - k) / stride + 1;
    last = min(p / stride, outputs - 1);
}

__global__ void max_pool_forward_kernel(PoolShape s, const float* x, float* y, float* argmax) {
    const int64_t total = s.planes * s.Ho * s.Wo, stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t ow = e % s.Wo, oh = (e / s.Wo) % s.Ho, p = e / (s.Wo * s.Ho);
        const float* xp = x + p * s.H * s.W;
        const Window r = window(s, oh, ow);
        int64_t best = r.h0 * s.W + r.w0;
        float top = xp[best];
        for (int64_t h = r.h0; h < r.h1; ++h)
            for (int64_t w = r.w0; w < r.w1; ++w) {
                const float v = xp[h * s.W + w];
                if (v > top || (v != v && top == top)) top = v, best = h * s.W + w;
            }
        y[e] = xp[best];
        argmax[e] = static_cast<float>(best);
    }
}

__global__ void avg_pool_forward_kernel(PoolShape s, float inv, const float* x, float* y) {
    const int64_t total = s.planes * s.Ho * s.Wo, stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t ow = e % s.Wo, oh = (e / s.Wo) % s.Ho, p = e / (s.Wo * s.Ho);
        const float* xp = x + p * s.H * s.W;
        const Window r = window(s, oh, ow);
        float sum = 0.0f;
        for (int64_t h = r.h0; h < r.h1; ++h)
            for (int64_t w = r.w0; w < r.w1; ++w) sum += xp[h * s.W + w];
        y[e] = sum * inv;
    }
}

// avg = false: max backward (dy where argmax names this element); avg = true: dy·inv everywhere.
template <bool kAvg>
__global__ void pool_backward_kernel(PoolShape s, float inv, const float* dy, const float* argmax, float beta,
                                     float* dx) {
    const int64_t total = s.planes * s.H * s.W, stride = static_cast<int64_t>(blockDim.x) * gridDim.x;
    for (int64_t e = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total; e += stride) {
        const int64_t w = e % s.W, h = (e / s.W) % s.H, p = e / (s.W * s.H);
        const int64_t self = h * s.W + w;
        int64_t oh0, oh1, ow0, ow1;
        covering(h, s.ph, s.kh, s.sh, s.Ho, oh0, oh1);
        covering(w, s.pw, s.kw, s.sw, s.Wo, ow0, ow1);
        const float* dyp = dy + p * s.Ho * s.Wo;
        float acc = beta == 0.0f ? 0.0f : beta * dx[e];
        for (int64_t oh = oh0; oh <= oh1; ++oh)
            for (int64_t ow = ow0; ow <= ow1; ++ow) {
                const int64_t o = oh * s.Wo + ow;
                if (kAvg) acc = __fadd_rn(acc, __fmul_rn(dyp[o], inv));
                else if (static_cast<int64_t>(argmax[p * s.Ho * s.Wo + o]) == self) acc = __fadd_rn(acc, dyp[o]);
            }
        dx[e] = acc;
    }
}

}  // namespace

void max_pool2d_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* x, float* y, float* argmax) {
    const int64_t total = g.planes() * g.Ho * g.Wo;
    if (total == 0) return;
    max_pool_forward_kernel<<<blocks_for(total), kThreads, 0, stream>>>(shape_of(g), x, y, argmax);
    CUDA_CHECK_LAUNCH("max_pool2d_forward");
}

void max_pool2d_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* dy, const float* argmax,
                         float beta, float* dx) {
    const int64_t total = g.planes() * g.H * g.W;
    if (total == 0) return;
    pool_backward_kernel<false><<<blocks_for(total), kThreads, 0, stream>>>(shape_of(g), 1.0f, dy, argmax, beta, dx);
    CUDA_CHECK_LAUNCH("max_pool2d_backward");
}

void avg_pool2d_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* x, float* y) {
    const int64_t total = g.planes() * g.Ho * g.Wo;
    if (total == 0) return;
    const float inv = 1.0f / static_cast<float>(g.kh * g.kw);
    avg_pool_forward_kernel<<<blocks_for(total), kThreads, 0, stream>>>(shape_of(g), inv, x, y);
    CUDA_CHECK_LAUNCH("avg_pool2d_forward");
}

void avg_pool2d_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* dy, float beta, float* dx) {
    const int64_t total = g.planes() * g.H * g.W;
    if (total == 0) return;
    const float inv = 1.0f / static_cast<float>(g.kh * g.kw);
    pool_backward_kernel<true><<<blocks_for(total), kThreads, 0, stream>>>(shape_of(g), inv, dy, nullptr, beta, dx);
    CUDA_CHECK_LAUNCH("avg_pool2d_backward");
}

}  // namespace probenet::cuda_detail
