// SGD's update of one element (T = float) or of 16 (T = v16), every option a compile-time constant so
// the compiler drops the branches. One definition for the update pass (cpu_optim.cpp) and for the
// linear layer's backward, which applies it to gradient tiles in registers
// (cpu_linear_backward.cpp): the two give the same bits because they compile the same expression.
// Vectors are spelled out: with run-time flags, or with `omp simd` on an outlined parallel loop, GCC
// emitted scalar code (perf: a third of a fused MLP step).
#pragma once

namespace probenet::cpu {

// kDampening = false states dampening = 0: (1 − 0)·d is d exactly, and `momentum·buf + d` contracts only
// to fma(momentum, buf, d), so the fused tile (cpu_linear_backward.cpp) and the update pass (cpu_optim.cpp),
// which both take this form at dampening 0, agree bit for bit whichever way GCC contracts the general
// one. It also saves one of the three vector operations per element of the fused tile's epilogue.
template <bool kDecay, bool kMomentum, bool kFirst, bool kNesterov, bool kDampening, typename T>
inline void sgd_element(T& p, T g, T& buf, float lr, float momentum, float dampening, float wd) {
    T d = kDecay ? g + wd * p : g;
    if constexpr (kMomentum) {
        const T b = kFirst ? d : kDampening ? momentum * buf + (1.0f - dampening) * d : momentum * buf + d;
        buf = b;
        d = kNesterov ? d + momentum * b : b;
    }
    p -= lr * d;
}

}  // namespace probenet::cpu
