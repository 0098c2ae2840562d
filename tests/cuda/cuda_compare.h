// Helpers of the CPU-vs-CUDA tests in tests/cuda/: the skip rule, test data, the comparisons and
// their tolerances, and the forward/backward comparison of an autograd function on both devices.
//
// Skipping: without a GPU (CI, and any machine whose driver or device is missing) a [cuda] test
// calls REQUIRE_CUDA_OR_SKIP(), which WARNs "skipped: no CUDA device (<the runtime's reason>)"
// and returns, so the test passes and says why it checked nothing.
//
// Tolerances, |cuda − cpu| ≤ bound, and why:
//   exact        fill, copy, add, sub, mul, relu, add_bias_rows, argmax, transfers, max pooling
//                (forward and backward), avg pooling forward: at most one IEEE-rounded operation
//                per element, or the same operations in the same order on both sides.
//   1e-6 rel     axpby, mul_acc, relu_backward and broadcast with β ≠ 0, softmax_xent_backward,
//   (+1e-7 abs)  sgd/adam updates, avg pooling backward: two to six operations, and GCC and nvcc
//                fuse a·b + c into FMAs in different places (1–2 ulp of the terms); CUDA's expf is
//                within 2 ulp of the correctly rounded value.
//   1e-5·Σ|terms|  gemm and sum_axis: the summation order differs (blocked/tree vs sequential), so
//                the error grows with the sum of the magnitudes, not with the (maybe cancelled)
//                result: K·eps ≈ 3e-5 at worst for K = 512, √K·eps ≈ 1.4e-6 typically.
//   1e-4·Σ|terms|  convolutions: cuDNN may choose FFT or Winograd algorithms, whose transforms round
//                more than a direct sum. A wrong or missing term moves an output by about
//                Σ|terms| / (C·kh·kw) ≥ 1.7e-3·Σ|terms| for the shapes tested, still 17× the bound.
//   1e-5·max|cpu|  log_softmax (float sum on the GPU, double on the CPU), composite autograd
//                functions and training steps, whose errors are the above, propagated.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "autograd/var.h"
#include "tensor/tensor.h"

namespace probenet::testing {

// True when a CUDA device is present; otherwise WARNs the skip reason for the running test.
bool have_cuda();
#define REQUIRE_CUDA_OR_SKIP() \
    if (!::probenet::testing::have_cuda()) return

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Cheap deterministic values in [−1, 1) on a 1e-3 grid (exact zeros included), fast for 16M elements.
Tensor pattern(const Shape& shape, uint32_t seed);
Tensor gpu(const Tensor& t);            // t.to(Device::CUDA)
Tensor abs_copy(const Tensor& cpu);     // |t| elementwise, on the CPU: the scale of rounding errors

void require_exact(const Tensor& cuda, const Tensor& cpu);
// |g − w| ≤ atol + rtol·scale_i, scale_i = |w_i| unless given.
void require_close(const std::vector<float>& g, const std::vector<float>& w, double rtol, double atol,
                   const std::vector<float>* scale = nullptr);
void require_close(const Tensor& cuda, const Tensor& cpu, double rtol, double atol);
// ‖g − w‖∞ ≤ tol · max(1, ‖w‖∞).
void require_close_norm(const std::vector<float>& g, const std::vector<float>& w, double tol);

// Runs y = f(inputs) and backward with one random upstream gradient on the CPU and on the GPU,
// twice on fresh graphs (the second pass accumulates, exercising every backward's β = 1 path),
// and compares y and every input gradient with require_close_norm(tol).
using VarFn = std::function<autograd::Var(const std::vector<autograd::Var>&)>;
void require_same_on_both(const VarFn& f, const std::vector<Tensor>& inputs, double tol = 1e-5, uint32_t seed = 7);

}  // namespace probenet::testing
