// The differentiable functions. Each lives in autograd/functions/<name>.cpp with its forward and
// backward side by side; shapes are given there. All of them record a node only when grad mode is
// on and an input requires a gradient, and every backward accumulates into input gradients.
#pragma once

#include <cstdint>
#include <vector>

#include "autograd/var.h"

namespace probenet::autograd {

Var matmul(const Var& a, const Var& b);                             // (M,K)·(K,N) → (M,N)
Var linear(const Var& x, const Var& weight, const Var& bias = {});  // x Wᵀ + b: (N,in),(out,in),(out) → (N,out)
Var add(const Var& a, const Var& b);                                // same shapes
Var mul(const Var& a, const Var& b);                                // elementwise, same shapes
Var scale(const Var& x, float alpha);                               // alpha · x
Var relu(const Var& x);                                             // max(x, 0)
Var reshape(const Var& x, const Shape& shape);                      // a view with another shape
Var flatten(const Var& x);                                          // (N, ...) → (N, rest)
Var sum(const Var& x);                                              // all elements → scalar ()
Var sum(const Var& x, int axis);                                    // drops `axis`
Var mean(const Var& x);                                             // all elements → scalar ()
// Mean over the batch of −log softmax(logits)[label]: logits (N, K), labels N values in [0, K).
Var cross_entropy(const Var& logits, const std::vector<int32_t>& labels);

// 2-D convolution and pooling, NCHW (functions/conv2d.cpp, max_pool2d.cpp, avg_pool2d.cpp):
// x (N, C, H, W) → (N, ·, Ho, Wo), Ho = floor((H + 2·padding − k) / stride) + 1, likewise Wo.
// conv2d: weight (O, C, kh, kw), bias (O) or an undefined Var for none → (N, O, Ho, Wo).
Var conv2d(const Var& x, const Var& weight, const Var& bias = {}, int stride = 1, int padding = 0);
// conv2d_relu: relu(conv2d(x, weight, bias)) as one node, bit for bit the same, without the ReLU's own
// passes over memory (the backend folds it into the convolution's store and its backward's read of dy).
Var conv2d_relu(const Var& x, const Var& weight, const Var& bias = {}, int stride = 1, int padding = 0);
// conv2d_relu_maxpool: max_pool2d(conv2d_relu(x, weight, bias), pool_kernel, pool_stride, pool_padding) as
// one node, bit for bit the same; the convolution's output is never kept (the CPU pools it chunk by chunk).
Var conv2d_relu_maxpool(const Var& x, const Var& weight, const Var& bias, int stride, int padding, int pool_kernel,
                        int pool_stride, int pool_padding = 0);
// Pooling over kernel×kernel windows (padding ≤ kernel / 2); max ties go to the first element in
// row-major window order; the average divides by kernel² (padding counts as zeros).
Var max_pool2d(const Var& x, int kernel, int stride, int padding = 0);
Var avg_pool2d(const Var& x, int kernel, int stride, int padding = 0);

}  // namespace probenet::autograd
