// Direct CPU kernels for the 3×3, stride-1, padding-1 convolution — every conv of the paper's CNN
// and the k3 convs of its AlexNets — without an im2col matrix.
//
// A chunk of b images (C, H, W) is copied once into a "stacked" layout per channel: the images one
// under another, each row preceded by one zero (row stride Wp = W + 1) and one zero row between
// images (and before the first), so neighbours share their padding. On that layout the input read by
// output (n, oh, ow) at tap (i, j) sits at q + i·Wp + j with q = (n·(H + 1) + oh)·Wp + ow: every tap
// is a constant shift, so a 16-wide vector of consecutive q reads 16 consecutive floats.
//   forward          out[o][q] = Σ_{c,t} w[o,c,t] · xs[c][q + off_t]   (16·NV q's × MR o's per tile,
//                    the weight broadcast), then the valid q's are copied into y (+ bias)
//   backward data    the same kernel on the stacked dy with w transposed over (o, c) and the taps
//                    flipped (a stride-1 "same" convolution's adjoint is one), added into dx with beta
//   backward filter  dw[o,c,t] = Σ_{valid q} dy[o][q] · xs[c][q + off_t], vectorised over 16 output
//                    channels (dy is transposed to pixel-major rows for that), accumulated in registers
//                    over the whole chunk, so no horizontal sums and no wasted padding positions.
// The q's between images and past each row's end are computed by the forward kernels and dropped
// (W/(W+1)·H/(H+1) of the work is useful: 93 % at 28×28, 77 % at 7×7) — still far cheaper than
// writing and re-reading a 9× larger patch matrix. Workspace per thread: the stacked input and the
// kernel output of one chunk, a few hundred KB.
#pragma once

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

// True for the geometries these kernels handle: 3×3 filter, stride 1, padding 1.
bool conv3x3_applies(const Conv2dGeometry& g);

void conv3x3_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
void conv3x3_backward_data(const Conv2dGeometry& g, const float* dy, const float* w, float beta, float* dx);
// Also db = beta_db·db + Σ dy when db is not null, summed from the transposed dy the kernel reads anyway.
void conv3x3_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float beta, float* dw,
                             float beta_db, float* db);

}  // namespace probenet::cpu
