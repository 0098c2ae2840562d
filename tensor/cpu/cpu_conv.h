// CPU 2-D convolution and pooling kernels; CpuBackend (cpu_backend.cpp) delegates to these.
// Contracts (shapes, beta, argmax encoding) are those of the matching Backend methods in tensor/backend.h.
#pragma once

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

// relu: y = max(w ⋆ x + bias, 0) as it is stored (Backend::conv2d_relu_forward).
void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y,
                    bool relu = false);
// db = beta·db + Σ_{n, ho, wo} dy (also the direct 3×3 kernels' bias gradient), of dy ∘ [relu_y > 0]
// when relu_y is given.
void conv2d_backward_bias(const Conv2dGeometry& g, const float* dy, float beta, float* db,
                          const float* relu_y = nullptr);
// relu_y, when not null, is the output of a relu forward: the gradients are then those of dy ∘ [relu_y > 0]
// (Backend::conv2d_relu_backward).
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx, float* dx,
                     float beta_dw, float* dw, float beta_db, float* db, const float* relu_y = nullptr);

// A convolution, its ReLU and a max pool as one (Backend::conv2d_relu_maxpool_*), each chunk of images
// pooled while its convolution output is in cache and its masked dy rebuilt from the pool's gradient as
// it is read. False, with nothing done, where this path does not apply (geometries other than the direct
// 3×3 kernels'; a backward without dw): the caller then runs the steps one by one.
bool conv2d_relu_maxpool_forward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x, const float* w,
                                 const float* bias, float* y, float* argmax);
bool conv2d_relu_maxpool_backward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x, const float* w,
                                  const float* y, const float* argmax, const float* dy, float beta_dx, float* dx,
                                  float beta_dw, float* dw, float beta_db, float* db);

// Pooling runs its planes in parallel, or serially when called from inside a parallel region.
void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax);
void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta, float* dx);
void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y);
void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx);

}  // namespace probenet::cpu
