// Conv2dGeometry and Pool2dGeometry: the sizes of one 2-D convolution or pooling, validated once.
//
// Both the CPU kernels and a CUDA backend (cuDNN descriptors are filled from the same fields) take
// these structs instead of re-deriving sizes, so every device agrees on the output shape and every
// shape error is raised in one place, before any kernel runs, with a message naming the layer shapes.
//
// Output size (floor mode, PyTorch's ceil_mode=False), per spatial axis:
//     Ho = floor((H + 2·pad_h − kh) / stride_h) + 1,   Wo likewise.
// It requires the kernel to fit the padded input (kh ≤ H + 2·pad_h), stride ≥ 1 and padding ≥ 0.
// Pooling also requires padding ≤ kernel / 2 (as PyTorch does), so that every window holds at least
// one real input element: a max over padding alone would be −∞, and an average over it meaningless.
#pragma once

#include <cstdint>

#include "tensor/shape.h"

namespace probenet {

// y = conv(x, w): x (N, C, H, W), w (O, C, kh, kw), y (N, O, Ho, Wo); cross-correlation, like PyTorch.
struct Conv2dGeometry {
    int64_t N = 0, C = 0, H = 0, W = 0;  // input
    int64_t O = 0, kh = 0, kw = 0;       // filter (O, C, kh, kw)
    int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
    int64_t Ho = 0, Wo = 0;  // output

    // Validates and derives Ho, Wo; throws probenet::Error naming `op` and the shapes on a mismatch.
    static Conv2dGeometry make(const char* op, const Shape& x, const Shape& w, int64_t stride, int64_t padding);

    Shape input_shape() const { return {N, C, H, W}; }
    Shape filter_shape() const { return {O, C, kh, kw}; }
    Shape output_shape() const { return {N, O, Ho, Wo}; }
    int64_t patch_size() const { return C * kh * kw; }  // rows of the im2col matrix
    int64_t output_plane() const { return Ho * Wo; }    // columns of the im2col matrix per image
    // A 1×1, stride-1, unpadded convolution is a plain matrix product per image (no im2col needed).
    bool is_pointwise() const { return kh == 1 && kw == 1 && stride_h == 1 && stride_w == 1 && pad_h == 0 && pad_w == 0; }
};

// y = pool(x) over kh×kw windows of each (n, c) plane: x (N, C, H, W), y (N, C, Ho, Wo).
struct Pool2dGeometry {
    int64_t N = 0, C = 0, H = 0, W = 0;
    int64_t kh = 0, kw = 0;
    int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
    int64_t Ho = 0, Wo = 0;

    static Pool2dGeometry make(const char* op, const Shape& x, int64_t kernel, int64_t stride, int64_t padding);

    Shape input_shape() const { return {N, C, H, W}; }
    Shape output_shape() const { return {N, C, Ho, Wo}; }
    int64_t planes() const { return N * C; }
};

}  // namespace probenet
