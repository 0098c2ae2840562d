// Convolution and pooling ops: shape- and device-checked entry points to the backend (tensor/backend.h).
//
// Layout NCHW throughout: x (N, C, H, W), w (O, C, kh, kw), bias (O), y (N, O, Ho, Wo) with
// Ho = floor((H + 2·padding − kh) / stride) + 1 (tensor/conv_geometry.h). Square stride and padding.
// Backward ops write into a caller-owned tensor with `beta` (0 overwrite, 1 accumulate), which is how
// autograd adds into gradients. A bad shape throws probenet::Error naming the op and every shape.
#pragma once

#include "tensor/tensor.h"

namespace probenet::ops {

// A max pool's output and, per output, its window's chosen element (see max_pool2d below).
struct MaxPool2dResult {
    Tensor y;
    Tensor argmax;
};

// y = w ⋆ x + bias (cross-correlation, like PyTorch's conv2d); bias may be an undefined Tensor.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int stride = 1, int padding = 0);
// Where conv2d_backward writes: each gradient is skipped when its tensor is null, else written with its beta.
struct Conv2dGrads {
    Tensor* dx = nullptr;
    float beta_dx = 0.0f;
    Tensor* dw = nullptr;
    float beta_dw = 0.0f;
    Tensor* db = nullptr;
    float beta_db = 0.0f;
};
// The wanted gradients of y = conv2d(x, w, b) for dy in one backend call (the CPU reads each chunk of
// dy once for all of them): dx = beta_dx·dx + ∂⟨y, dy⟩/∂x (x's shape), dw = beta_dw·dw + ∂⟨y, dy⟩/∂w,
// db = beta_db·db + Σ_{n, h, w} dy.
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding,
                     const Conv2dGrads& grads);
// The convolution and a ReLU as one op: y = relu(conv2d(x, w, bias)), bit for bit, with no pass of
// its own for the ReLU. Its backward is conv2d_backward for dy ∘ [y > 0], y being conv2d_relu's output.
Tensor conv2d_relu(const Tensor& x, const Tensor& w, const Tensor& bias, int stride = 1, int padding = 0);
void conv2d_relu_backward(const Tensor& x, const Tensor& w, const Tensor& y, const Tensor& dy, int stride,
                          int padding, const Conv2dGrads& grads);
// The convolution, a ReLU and a max pool as one op: max_pool2d(relu(conv2d(x, w, bias))) bit for bit,
// without keeping the convolution's output. Its backward takes the pool's y, argmax and dy.
MaxPool2dResult conv2d_relu_maxpool(const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding,
                                    int pool_kernel, int pool_stride, int pool_padding = 0);
void conv2d_relu_maxpool_backward(const Tensor& x, const Tensor& w, const MaxPool2dResult& pooled, const Tensor& dy,
                                  int stride, int padding, int pool_kernel, int pool_stride, int pool_padding,
                                  const Conv2dGrads& grads);

// Max pooling with kernel×kernel windows (floor mode, padding ≤ kernel/2, padding never wins).
// argmax has y's shape and holds, per output, the index h·W + w of the chosen element in its (n, c)
// input plane as an exact float (the first largest in row-major window order on ties).
MaxPool2dResult max_pool2d(const Tensor& x, int kernel, int stride, int padding = 0);
// dx = beta·dx, then dx[n, c, argmax] += dy; dx has x's shape.
void max_pool2d_backward(const Tensor& dy, const Tensor& argmax, int kernel, int stride, int padding, float beta,
                         Tensor& dx);

// Average pooling, dividing by kernel² whatever the padding (PyTorch's count_include_pad=True).
Tensor avg_pool2d(const Tensor& x, int kernel, int stride, int padding = 0);
void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, int padding, float beta, Tensor& dx);

}  // namespace probenet::ops
