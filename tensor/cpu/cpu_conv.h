// CPU 2-D convolution and pooling kernels; CpuBackend (cpu_backend.cpp) delegates to these.
// Contracts (shapes, beta, argmax encoding) are those of the matching Backend methods in tensor/backend.h.
#pragma once

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
// db = beta·db + Σ_{n, ho, wo} dy (also the direct 3×3 kernels' bias gradient).
void conv2d_backward_bias(const Conv2dGeometry& g, const float* dy, float beta, float* db);
void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx, float* dx,
                     float beta_dw, float* dw, float beta_db, float* db);

void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax);
void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta, float* dx);
void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y);
void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx);

}  // namespace probenet::cpu
