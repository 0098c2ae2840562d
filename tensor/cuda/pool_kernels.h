// Max and average pooling kernels of the CUDA backend, NCHW: x and dx (N, C, H, W), y, dy and
// argmax (N, C, Ho, Wo), windows kh×kw at stride_h/stride_w with padding pad_h/pad_w from the
// Pool2dGeometry (tensor/conv_geometry.h). The contracts are Backend's (tensor/backend.h):
//   max forward:   y = the first largest element of the clipped window in row-major order (a NaN,
//                  the first one, wins), argmax = its index h·W + w in the (n, c) plane, as a float
//   max backward:  dx = β·dx (0 when β = 0), then dx[n, c, argmax] += dy for every output
//   avg forward:   y = (Σ of the window's real elements) / (kh·kw)
//   avg backward:  dx = β·dx, then dy / (kh·kw) added to every real element of each window
// These are the backend's own kernels rather than cuDNN's: cuDNN's max pooling has no argmax
// output (its backward searches x again), and own kernels follow the CPU's tie and NaN rules.
#pragma once

#include <cuda_runtime_api.h>

#include "tensor/conv_geometry.h"

namespace probenet::cuda_detail {

void max_pool2d_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* x, float* y, float* argmax);
void max_pool2d_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* dy, const float* argmax,
                         float beta, float* dx);
void avg_pool2d_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* x, float* y);
void avg_pool2d_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* dy, float beta, float* dx);

}  // namespace probenet::cuda_detail
