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
// Each kernel keeps its accumulators in registers and runs near the FMA peak on its own; what is
// left is the copies into and out of the stacked layout. Workspace per thread: one chunk's stacked
// input and output, a few hundred KB.
#pragma once

#include <cstdint>
#include <functional>

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

// True for the geometries these kernels handle: 3×3 filter, stride 1, padding 1.
bool conv3x3_applies(const Conv2dGeometry& g);

void conv3x3_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
void conv3x3_backward_data(const Conv2dGeometry& g, const float* dy, const float* w, float beta, float* dx);
// Also db = beta_db·db + Σ dy when db is not null, summed from the transposed dy the kernel reads anyway.
// before_chunk, when set, runs first on each chunk of images (n0, count) on the same thread.
using ChunkHook = std::function<void(int64_t n0, int64_t count)>;
void conv3x3_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float beta, float* dw,
                             float beta_db, float* db, const ChunkHook& before_chunk = {});
// dx, dw and db, each optional with its own beta, chunk by chunk: the backward-data kernel runs on a
// chunk just before the filter kernel, so that chunk of dy is read from memory once.
void conv3x3_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx,
                      float* dx, float beta_dw, float* dw, float beta_db, float* db);

}  // namespace probenet::cpu
