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

void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax);
void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta, float* dx);
void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y);
void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx);

}  // namespace probenet::cpu
