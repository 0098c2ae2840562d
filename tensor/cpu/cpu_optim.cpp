// CPU loops for the fused optimizer updates declared in tensor/backend.h: one pass over each
// parameter, its gradient and its state, which is all the optimizer step costs (it is memory
// bound: SGD with momentum reads 3 and writes 2 floats per parameter).
#include "tensor/cpu/cpu_optim.h"

#include <algorithm>
#include <cmath>

#include "tensor/cpu/cpu_sgd_element.h"
#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

namespace {
using simd::v16;

// Elements [0, n) — restrict: the three arrays never overlap.
template <bool kDecay, bool kMomentum, bool kFirst, bool kNesterov, bool kDampening>
void sgd_range(int64_t n, float* __restrict p, const float* __restrict g, float* __restrict buf, float lr,
               float momentum, float dampening, float wd) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v16 pv = simd::load16(p + i), bv = kMomentum ? simd::load16(buf + i) : v16{};
        sgd_element<kDecay, kMomentum, kFirst, kNesterov, kDampening>(pv, simd::load16(g + i), bv, lr, momentum, dampening,
                                                                      wd);
        simd::store16(p + i, pv);
        if constexpr (kMomentum) simd::store16(buf + i, bv);
    }
    for (; i < n; ++i) {
        float unused = 0.0f;
        sgd_element<kDecay, kMomentum, kFirst, kNesterov, kDampening>(p[i], g[i], kMomentum ? buf[i] : unused, lr,
                                                                      momentum, dampening, wd);
    }
}

// The whole array, in 64 KB chunks over the threads when it is large (inside an enclosing parallel
// region — backward's update of one block of rows — it runs on the calling thread).
template <bool kDecay, bool kMomentum, bool kFirst, bool kNesterov, bool kDampening>
void sgd_loop(int64_t n, float* p, const float* g, float* buf, float lr, float momentum, float dampening, float wd) {
    constexpr int64_t kChunk = 1 << 14;
    if (n <= 2 * kChunk) {  // no OpenMP construct at all: backward calls this per row of W, thousands of times a step
        sgd_range<kDecay, kMomentum, kFirst, kNesterov, kDampening>(n, p, g, buf, lr, momentum, dampening, wd);
        return;
    }
    const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < chunks; ++c) {
        const int64_t b = c * kChunk, e = std::min(n, b + kChunk);
        sgd_range<kDecay, kMomentum, kFirst, kNesterov, kDampening>(e - b, p + b, g + b, kMomentum ? buf + b : nullptr,
                                                                    lr, momentum, dampening, wd);
    }
}

template <bool kDecay, bool kMomentum, bool kFirst, bool kDampening>
void sgd_nesterov(bool nesterov, int64_t n, float* p, const float* g, float* buf, float lr, float m, float damp,
                  float wd) {
    if (nesterov) sgd_loop<kDecay, kMomentum, kFirst, true, kDampening>(n, p, g, buf, lr, m, damp, wd);
    else sgd_loop<kDecay, kMomentum, kFirst, false, kDampening>(n, p, g, buf, lr, m, damp, wd);
}

// Dampening 0 takes the instance without the (1 − dampening) product, as the fused tile does
// (cpu_linear_backward.cpp): `momentum·buf + d` contracts only one way, so the two agree bit for bit
// whichever contraction GCC picks for the general form.
template <bool kDecay>
void sgd_momentum(bool has_momentum, bool first, bool nesterov, int64_t n, float* p, const float* g, float* buf,
                  float lr, float m, float damp, float wd) {
    if (!has_momentum) sgd_loop<kDecay, false, false, false, false>(n, p, g, buf, lr, m, damp, wd);
    else if (first) sgd_nesterov<kDecay, true, true, false>(nesterov, n, p, g, buf, lr, m, damp, wd);
    else if (damp != 0.0f) sgd_nesterov<kDecay, true, false, true>(nesterov, n, p, g, buf, lr, m, damp, wd);
    else sgd_nesterov<kDecay, true, false, false>(nesterov, n, p, g, buf, lr, m, damp, wd);
}
}  // namespace

void sgd_update(int64_t n, float* p, const float* g, float* buf, float lr, float momentum, float dampening,
                float wd, bool nesterov, bool first_step) {
    const bool has_momentum = momentum != 0.0f;
    if (wd != 0.0f) sgd_momentum<true>(has_momentum, first_step, nesterov, n, p, g, buf, lr, momentum, dampening, wd);
    else sgd_momentum<false>(has_momentum, first_step, nesterov, n, p, g, buf, lr, momentum, dampening, wd);
}

void adam_update(int64_t n, float* p, const float* g, float* m, float* v, float lr, float beta1, float beta2,
                 float eps, float wd, float bc1, float bc2) {
    const float step_size = lr / bc1;
    const float bc2_sqrt = std::sqrt(bc2);
    const float w = 1.0f - beta1;
#pragma omp parallel for simd if (n > (1 << 15))
    for (int64_t i = 0; i < n; ++i) {
        const float gi = wd != 0.0f ? g[i] + wd * p[i] : g[i];
        // torch.lerp(m, g, w) for w < 0.5 is m + w·(g − m)
        m[i] = w < 0.5f ? m[i] + w * (gi - m[i]) : gi - (gi - m[i]) * (1.0f - w);
        v[i] = v[i] * beta2 + (1.0f - beta2) * gi * gi;
        const float denom = std::sqrt(v[i]) / bc2_sqrt + eps;
        p[i] -= step_size * (m[i] / denom);
    }
}

}  // namespace probenet::cpu
