// Tensor ops: shape- and device-checked entry points to the backend of the tensors' device.
//
// Every op here validates its arguments (a mismatch throws probenet::Error naming the op and the
// shapes) and then calls Backend (tensor/backend.h) once. Ops returning a Tensor allocate it; ops
// taking `Tensor& out` write (beta = 0) or accumulate (beta = 1) into it. autograd builds on these.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/backend.h"
#include "tensor/tensor.h"

namespace probenet::ops {

// C = alpha * op(A) op(B) + beta * C for rank-2 tensors; op transposes when the flag is set.
void gemm(const Tensor& A, bool trans_a, const Tensor& B, bool trans_b, Tensor& C, float alpha = 1.0f,
          float beta = 0.0f);
// Aᵀ·B (A (K, M), B (K, N)) handed to `consume` by blocks of whole rows, never stored whole
// (Backend::gemm_tn_rows): consume(row0, rows, block) with block (rows, N) on A's device.
void gemm_tn_rows(const Tensor& A, const Tensor& B, const Backend::RowBlockConsumer& consume);
// A linear layer's backward with its weight update (Backend::linear_backward_with_update): g (B, N),
// x (B, K), W (N, K); dx (B, K) = beta_dx·dx + g·W, and dW's segments to `consume` — or, where the
// backend can and `step` is not null, straight to that SGD step (the same update; step->param is W).
void linear_backward_with_update(const Tensor& g, const Tensor& x, const Tensor& W, float beta_dx, Tensor& dx,
                                 const Backend::SegmentConsumer& consume, const SgdStep* step = nullptr);
// op(A) op(B) in a new tensor.
Tensor matmul(const Tensor& A, const Tensor& B, bool trans_a = false, bool trans_b = false);

Tensor add(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, float alpha);
void axpby(float alpha, const Tensor& x, float beta, Tensor& y);                  // y = a x + b y
void mul_acc(float alpha, const Tensor& a, const Tensor& b, float beta, Tensor& out);  // out = b out + a·(a∘b)
void fill(Tensor& t, float value);
void copy(const Tensor& src, Tensor& dst);  // same shape, same device

Tensor relu(const Tensor& x);
// gx = beta*gx + gy * [y > 0], y the ReLU output.
void relu_backward(const Tensor& y, const Tensor& gy, float beta, Tensor& gx);

// y(N, F) += bias(F) on every row.
void add_bias_rows(Tensor& y, const Tensor& bias);

// Sum over one axis, which disappears from the shape: (2,3,4) over axis 1 → (2,4).
Tensor sum_axis(const Tensor& x, int axis);
void sum_axis_into(const Tensor& x, int axis, float beta, Tensor& out);
// out = beta*out + alpha * g broadcast along `axis` of out (the backward of sum_axis).
void broadcast_axis_into(const Tensor& g, int axis, float alpha, float beta, Tensor& out);

// For x (rows, cols): the column of each row's largest element (the first on ties).
std::vector<int32_t> argmax_rows(const Tensor& x);
// y = x - logsumexp(x) along each row of x (rows, cols).
Tensor log_softmax_rows(const Tensor& x);
// -sum_r logp[r, labels[r]]; labels must be in [0, cols).
double nll_sum(const Tensor& logp, const std::vector<int32_t>& labels);
// gx = beta*gx + scale * (softmax - onehot(labels)), from logp = log_softmax(x).
void softmax_xent_backward(const Tensor& logp, const std::vector<int32_t>& labels, float scale, float beta,
                           Tensor& gx);

}  // namespace probenet::ops
