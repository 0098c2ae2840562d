// The three products of a linear layer when one side is a training batch (at most kSmallBatch
// rows), computed without packing the large operand. W (N, K) row-major as PyTorch stores it,
// x (b, K), g (b, N), b ≤ kSmallBatch:
//   forward       y  (b, N) = x · Wᵀ     cblas NT with M = b
//   input grad    dx (b, K) = g · W      cblas NN with M = b
//   weight grad   dW (N, K) = gᵀ · x     cblas TN with K = b
// OpenBLAS packs both operands of every product into its block layout before multiplying; here the
// packed copy of W would be used once, so packing costs a second pass over W. These kernels read W
// once, where it lies (see the .cpp for the register tiles). The weight gradient can also be handed
// over row block by row block while it is still in cache (small_batch_gemm_tn_rows), which is how an
// optimizer updates a parameter inside backward (autograd/var.h, InBackwardUpdate).
#pragma once

#include <cstdint>
#include <functional>

#include "tensor/sgd_step.h"

namespace probenet::cpu {

inline constexpr int64_t kSmallBatch = 64;

// True when the row-major product C (M, N) = op(A)·op(B), op(A) (M, K), is one of the three shapes
// above (NT or NN with M ≤ kSmallBatch, TN with K ≤ kSmallBatch; TT never).
bool small_batch_gemm_applies(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K);

// cblas_sgemm's contract (row-major, C = alpha·op(A)·op(B) + beta·C, beta 0 ignores old C); only for
// shapes where small_batch_gemm_applies. Each C element is one fused multiply-add chain over k in
// order, whatever the thread count.
void small_batch_gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                      int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// The NT shape (the forward) splits W's rows between the threads by shares learned from their speeds
// (tensor/cpu/cpu_thread_shares.h), under this key for each panel of M ≤ 32 rows; the same bits on any
// split.
uint64_t small_batch_nt_split_key(int64_t M, int64_t N, int64_t K);

// C (M, N) = Aᵀ·B with A (K, M), B (K, N), K ≤ kSmallBatch, delivered by blocks of whole rows:
// consume(row0, rows, block) gets rows [row0, row0 + rows) of C in `block` (rows, N), row-major,
// valid only during the call. Called from several threads at once, each with other rows.
using RowBlockConsumer = std::function<void(int64_t row0, int64_t rows, const float* block)>;
void small_batch_gemm_tn_rows(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                              int64_t ldb, const RowBlockConsumer& consume);

// The linear layer's backward when the optimizer updates W inside it, in one pass over W's rows
// (cpu_linear_backward.cpp):
// dx (B, K) = beta_dx·dx + g·W (the input gradient, from W's old values) and dW = gᵀ·x, handed to
// consume(offset, n, grad) as segments of dW's row-major storage (element offset, count) while in
// cache — each row of W is read once for both, then updated by `consume`. g (B, N), x (B, K),
// W (N, K), B ≤ kSmallBatch. Threads split W's columns, by shares learned from their speeds under
// linear_backward_split_key (tensor/cpu/cpu_thread_shares.h); consume runs concurrently on disjoint
// segments. Sums in OpenBLAS's order like small_batch_gemm, the same bits on any split.
// With `step` (the same update as SGD's arithmetic, tensor/sgd_step.h), whole 8 × 48 tiles of dW are
// not handed over but updated in registers where they are summed: W's and the momentum's elements are
// read and written while the next tile's products run, instead of in a pass of their own after them:
// ~10 % off each layer's backward (bench/small_batch_gemm_bench; 2048 × 2048 on this project's Xeon:
// 2.64–2.77 → 2.43–2.57 ms at 2 threads, 4.76 → 4.27 at 1). The ragged rest goes to consume.
using SegmentConsumer = std::function<void(int64_t offset, int64_t n, const float* grad)>;
void small_batch_linear_backward(int64_t B, int64_t N, int64_t K, const float* g, const float* x, const float* W,
                                 float beta_dx, float* dx, const SegmentConsumer& consume,
                                 const SgdStep* step = nullptr);
// The key of a layer shape's column split in thread_shares().
uint64_t linear_backward_split_key(int64_t B, int64_t N, int64_t K);
// The key of a layer shape's choice of stores for the fused SGD update in update_store_choice()
// (tensor/cpu/cpu_timed_choice.h), with the number of threads the call runs on.
uint64_t linear_backward_store_key(int64_t B, int64_t N, int64_t K);

}  // namespace probenet::cpu
