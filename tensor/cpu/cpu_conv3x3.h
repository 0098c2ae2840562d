// Direct CPU kernels for the 3×3, stride-1, padding-1 convolution — every conv of the paper's CNN
// but the first, and the k3 convs of its AlexNets — without an im2col matrix.
//
// Chunks of images are copied once into the stacked layout of cpu_stacked.h, where every tap of
// the filter is a constant shift of the output position, then:
//   forward          y[o][q] = Σ_{c,t} w[o,c,t] · xs[c][q + offset_t] + b[o]    (cpu_conv3x3.cpp)
//   backward data    the same computation on the stacked dy with w transposed over (o, c) and its
//                    taps flipped — the adjoint of a stride-1 "same" convolution is one — added
//                    into dx with beta                                          (cpu_conv3x3.cpp)
//   backward filter  dw[o,c,t] = Σ_q dy[o][q] · xs[c][q + offset_t], db[o] = Σ_q dy[o][q]
//                                                                               (cpu_conv3x3_filter.cpp)
// A ReLU after the convolution can be folded in: applied as y is stored, and its mask [y > 0] applied
// to each chunk of dy as the backward reads it.
// Each kernel keeps its accumulators in registers and runs near the FMA peak on its own; what is
// left is the copies into and out of the stacked layout. Workspace per thread: one chunk's stacked
// input and output, a few hundred KB.
#pragma once

#include <cstdint>
#include <functional>

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

// True for the geometries these kernels handle: 3×3 filter, stride 1, padding 1, at least 8 channels
// in and out, planes of at least 16 pixels.
bool conv3x3_applies(const Conv2dGeometry& g);
// Forward and backward data use Winograd's F(2×2, 3×3) (cpu_conv3x3_winograd.h) when both channel
// counts are multiples of 16, unless turned off here (process-wide; on by default).
void set_conv3x3_winograd(bool on);
bool conv3x3_winograd();

// y = w ⋆ x + bias, stored through relu (v > 0 ? v : 0) when `relu` is set. With `pool`, a max pool over
// that output (pool's N is the batch's), each chunk of images pooled while its output is in cache: y and
// argmax are then the pool's, and the convolution's output is never stored.
void conv3x3_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y,
                     bool relu = false, const Pool2dGeometry* pool = nullptr, float* argmax = nullptr);
// The filter kernel's source of dy: chunk_dy(n0, count) returns dy of images [n0, n0 + count),
// (count, O, H, W), prepared on the calling thread and valid until its next call there.
using ChunkDy = std::function<const float*(int64_t n0, int64_t count)>;
// dw = beta·dw + the filter gradient, and db = beta_db·db + Σ dy when db is not null, summed from the
// transposed dy the kernel reads anyway.
void conv3x3_backward_filter(const Conv2dGeometry& g, const float* x, const ChunkDy& chunk_dy, float beta, float* dw,
                             float beta_db, float* db);
// Where the backward's dy comes from, rebuilt chunk by chunk as it is read: dy itself; dy ∘ [relu_y > 0]
// after a folded ReLU (relu_y its output); or, after a folded ReLU and max pool, the pool's gradient dy
// masked by [relu_y > 0] (relu_y the pooled output) and sent to argmax — dy, relu_y and argmax then have
// the pool's output shape.
struct ConvDy {
    const float* dy = nullptr;
    const float* relu_y = nullptr;
    const Pool2dGeometry* pool = nullptr;
    const float* argmax = nullptr;
};
// dx, dw and db, each optional with its own beta (db without dw: not after a pool). Chunk by chunk: the
// backward-data kernel runs on a chunk just before the filter kernel, so that chunk of dy is read once.
void conv3x3_backward(const Conv2dGeometry& g, const float* x, const float* w, const ConvDy& dy, float beta_dx,
                      float* dx, float beta_dw, float* dw, float beta_db, float* db);

}  // namespace probenet::cpu
