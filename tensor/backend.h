// Backend: the one dispatch point between tensor ops and a device's kernels.
//
// tensor/ops.cpp checks shapes and devices, then calls the backend of the tensors' device with raw
// pointers and sizes. backend_for (tensor/backend.cpp) maps a Device to its backend: the CPU one
// (tensor/cpu/) always, the CUDA one (tensor/cuda/) only in builds configured with PROBENET_CUDA.
// Adding a device means implementing this interface and adding its branch to backend_for.
// Conventions: row-major; `beta` arguments mean "out = beta*out + result" (beta 0 ignores old out,
// even NaN), which is how backward passes accumulate into gradients without a separate add.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tensor/conv_geometry.h"
#include "tensor/device.h"
#include "tensor/sgd_step.h"

namespace probenet {

class Backend {
public:
    virtual ~Backend() = default;
    virtual std::string describe() const = 0;  // printed at start-up: library, threads, device

    // Memory. Backends may cache freed blocks; deallocate gets the size that was allocated.
    virtual float* allocate(int64_t numel) = 0;
    virtual void deallocate(float* ptr, int64_t numel) = 0;
    virtual void copy(float* dst, const float* src, int64_t n) = 0;            // within this device
    virtual void copy_to_host(float* host_dst, const float* src, int64_t n) = 0;
    virtual void copy_from_host(float* dst, const float* host_src, int64_t n) = 0;
    virtual void fill(float* dst, int64_t n, float value) = 0;

    // C(M,N) = alpha * op(A) op(B) + beta * C, op(A) is (M,K), op(B) is (K,N); ld* are row strides.
    virtual void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha,
                      const float* A, int64_t lda, const float* B, int64_t ldb, float beta, float* C,
                      int64_t ldc) = 0;

    // C (M, N) = Aᵀ·B, A (K, M), B (K, N) — a weight gradient gᵀ·x — handed over by blocks of whole rows:
    // consume(row0, rows, block) gets rows [row0, row0 + rows) of C in `block` (rows, N), device memory,
    // valid during the call; calls may run concurrently for different rows. The CPU computes small-K
    // products block by block, so each block is still in cache when consumed; the default computes C
    // into a temporary with gemm and consumes it at once.
    using RowBlockConsumer = std::function<void(int64_t row0, int64_t rows, const float* block)>;
    virtual void gemm_tn_rows(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                              int64_t ldb, const RowBlockConsumer& consume);

    // A linear layer's backward when the optimizer updates W inside it (autograd/functions/linear.cpp):
    // dx (B, K) = beta_dx·dx + g·W from W's values before the update, and dW = gᵀ·x (N, K) handed to
    // consume(offset, n, grad) as segments of its row-major storage; consume may change W (it runs after
    // dx is done with those elements) and may run concurrently on disjoint segments. g (B, N), x (B, K),
    // W (N, K). The CPU does both in one pass over W's rows for small batches; the default runs gemm,
    // then gemm_tn_rows. `step`, when not null, is the same update spelled out as SGD's arithmetic (W is
    // step->param): a backend may apply it to dW's values where they are summed instead of calling
    // consume — the same bits either way; the CPU's small-batch kernel does, the default ignores it.
    using SegmentConsumer = std::function<void(int64_t offset, int64_t n, const float* grad)>;
    virtual void linear_backward_with_update(int64_t B, int64_t N, int64_t K, const float* g, const float* x,
                                             const float* W, float beta_dx, float* dx, const SegmentConsumer& consume,
                                             const SgdStep* step);

    // Elementwise over n elements.
    virtual void add(int64_t n, const float* a, const float* b, float* out) = 0;  // out = a + b
    virtual void mul(int64_t n, const float* a, const float* b, float* out) = 0;  // out = a * b
    // y = alpha * x + beta * y
    virtual void axpby(int64_t n, float alpha, const float* x, float beta, float* y) = 0;
    // out = beta*out + alpha * a * b (the backward of mul)
    virtual void mul_acc(int64_t n, float alpha, const float* a, const float* b, float beta, float* out) = 0;
    virtual void relu(int64_t n, const float* x, float* y) = 0;
    // gx = beta*gx + gy * [y > 0]   (y is the ReLU output, so the mask needs no extra buffer)
    virtual void relu_backward(int64_t n, const float* y, const float* gy, float beta, float* gx) = 0;

    // y(rows, cols) += bias(cols) broadcast over rows.
    virtual void add_bias_rows(int64_t rows, int64_t cols, const float* bias, float* y) = 0;
    // x viewed as (outer, n, inner): out(outer, inner) = beta*out + sum over the middle axis.
    virtual void sum_axis(int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out) = 0;
    // out(outer, n, inner) = beta*out + alpha * g(outer, inner) broadcast along the middle axis.
    virtual void broadcast_axis(int64_t outer, int64_t n, int64_t inner, float alpha, const float* g,
                                float beta, float* out) = 0;
    // Index of the largest element of each row (first one on ties); host output.
    virtual void argmax_rows(int64_t rows, int64_t cols, const float* x, int32_t* host_out) = 0;
    // y = x - logsumexp(x) per row, computed stably.
    virtual void log_softmax_rows(int64_t rows, int64_t cols, const float* x, float* y) = 0;
    // Returns -sum_r logp[r, label[r]] (double accumulation); labels are host memory.
    virtual double nll_sum(int64_t rows, int64_t cols, const float* logp, const int32_t* host_labels) = 0;
    // gx = beta*gx + scale * (exp(logp) - onehot(label)) per row — the cross-entropy backward.
    virtual void softmax_xent_backward(int64_t rows, int64_t cols, const float* logp,
                                       const int32_t* host_labels, float scale, float beta, float* gx) = 0;

    // Fused optimizer updates over n parameters, PyTorch's exact rules (see optim/sgd.h, optim/adam.h).
    // SGD: d = g + wd·p; buf = first_step ? d : momentum·buf + (1−dampening)·d (skipped when
    // momentum = 0); d = nesterov ? d + momentum·buf : buf; p −= lr·d.
    virtual void sgd_update(int64_t n, float* param, const float* grad, float* momentum_buf, float lr,
                            float momentum, float dampening, float weight_decay, bool nesterov, bool first_step) = 0;
    // Adam: g' = g + wd·p; m = lerp(m, g', 1−β1); v = β2·v + (1−β2)·g'²;
    // p −= (lr / bc1) · m / (√v / √bc2 + eps), with bc1 = 1−β1^t, bc2 = 1−β2^t.
    virtual void adam_update(int64_t n, float* param, const float* grad, float* m, float* v, float lr, float beta1,
                             float beta2, float eps, float weight_decay, float bias_correction1,
                             float bias_correction2) = 0;

    // 2-D convolution and pooling, NCHW, sizes from the geometry (tensor/conv_geometry.h), which the
    // caller has validated. Shapes: x (N,C,H,W), w (O,C,kh,kw), bias and db (O), y and dy (N,O,Ho,Wo).
    // y = w ⋆ x + bias (cross-correlation); bias may be null.
    virtual void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                                float* y) = 0;
    // Every wanted gradient of y in one call; dx, dw, db are each null (not wanted) or written with
    // their own beta (the CPU reads each chunk of dy once for all of them):
    //   dx = beta_dx*dx + the gradient with respect to x (the transposed convolution of dy with w),
    //   dw = beta_dw*dw + the gradient with respect to w (dy correlated with x),
    //   db = beta_db*db + the sum of dy over N, Ho and Wo.
    // x is read only for dw, w only for dx.
    virtual void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy,
                                 float beta_dx, float* dx, float beta_dw, float* dw, float beta_db, float* db) = 0;
    // The convolution followed by a ReLU, as one layer: y = max(w ⋆ x + bias, 0) (relu's rule: NaN → 0),
    // and its backward, conv2d_backward for dy ∘ [y > 0] where y is this forward's output. Same bits as
    // conv2d_forward then relu, and relu_backward then conv2d_backward. The CPU applies the ReLU as it
    // stores y and the mask as it reads dy, so neither makes a pass over memory of its own; the
    // defaults run the two steps (the backward through a temporary for the masked dy).
    virtual void conv2d_relu_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                                     float* y);
    virtual void conv2d_relu_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* y,
                                      const float* dy, float beta_dx, float* dx, float beta_dw, float* dw,
                                      float beta_db, float* db);
    // The same layer followed by a max pool (geometry pg over the convolution's output) as one:
    // y and argmax as max_pool2d_forward gives them for relu(w ⋆ x + bias), which itself is not kept.
    // Its backward is the convolution's for the pool's gradient dy masked by [y > 0] (y the pooled output,
    // which is the ReLU's output at the element each window chose) and sent to argmax, zero elsewhere:
    // the same bits as max_pool2d_backward, relu_backward and conv2d_backward in turn. The CPU pools each
    // chunk of images while its convolution output is in cache, and rebuilds each chunk's masked dy as it
    // needs it; the defaults go through a temporary of the convolution's output shape.
    virtual void conv2d_relu_maxpool_forward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                             const float* w, const float* bias, float* y, float* argmax);
    virtual void conv2d_relu_maxpool_backward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                              const float* w, const float* y, const float* argmax, const float* dy,
                                              float beta_dx, float* dx, float beta_dw, float* dw, float beta_db,
                                              float* db);

    // Pooling: x (N,C,H,W), y, dy and argmax (N,C,Ho,Wo). Windows with padding never count padding as a
    // maximum; the average divides by kh·kw whatever the padding (PyTorch's count_include_pad=True).
    // argmax holds, for each output, the index h·W + w of the chosen element inside its (n, c) input
    // plane, stored exactly as a float (exact below 2^24; the ops layer checks H·W stays below it). On
    // ties the first element in row-major window order wins, so the choice is deterministic.
    virtual void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax) = 0;
    // dx = beta*dx, then dx[n, c, argmax] += dy for every output (overlapping windows add up).
    virtual void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta,
                                     float* dx) = 0;
    virtual void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) = 0;
    // dx = beta*dx, then dy / (kh·kw) added to every real input element of each window.
    virtual void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx) = 0;
};

// The backend that owns tensors of `device`; throws probenet::Error if that backend is not built
// or no such device is present (never falls back silently).
Backend& backend_for(Device device);
// True when tensors can be placed on `device` in this build, on this machine.
bool backend_available(Device device);

}  // namespace probenet
