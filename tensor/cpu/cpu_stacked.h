// The stacked layout of the direct 3×3 convolution kernels (cpu_conv3x3.h), and how work is cut
// into chunks of images for it.
//
// A chunk of `count` images (C, H, W) is copied per channel into one plane: the images one under
// another, each row preceded by one zero (row stride Wp = W + 1) and one zero row on top and after
// every image, so neighbours share their padding. With a padding of 1 the input read by output
// (n, oh, ow) at tap (i, j) sits at q + i·Wp + j, where q = (n·(H + 1) + oh)·Wp + ow is the output's
// own position: every tap is a constant shift, so 16 consecutive positions read 16 consecutive floats.
// Positions with ow = W or between images are padding: computed by some kernels, never stored.
// Each plane ends with enough zeros that no kernel read leaves it.
#pragma once

#include <cstdint>

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

constexpr int kTaps = 9;  // a 3×3 filter

inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

struct Stacked {
    int64_t H, W, count, Wp, rows, plane;
    Stacked(int64_t h, int64_t w, int64_t n) : H(h), W(w), count(n), Wp(w + 1), rows(1 + n * (h + 1)) {
        plane = round_up(rows * Wp + Wp + 80, 16);  // + the bottom-right taps and a 64-float tile overrun
    }
    // Position of output row h of image n; output (n, h, w) is q(n, h) + w.
    int64_t q(int64_t n, int64_t h) const { return (n * (H + 1) + h) * Wp; }
    // One past the last valid output position.
    int64_t q_end() const { return q(count - 1, H - 1) + W; }
};

// dst (channels planes of s.plane floats) ← images (count, channels, H, W) in the stacked layout.
void stack_images(const Stacked& s, int64_t channels, const float* images, float* dst);

// Images per chunk: the stacked input (or output) of a chunk stays within ~256 KB of L2.
int64_t stacked_images_per_chunk(const Conv2dGeometry& g);

// Multiply-adds of a 3×3 "same" convolution, to decide whether threads pay.
inline int64_t conv3x3_macs(const Conv2dGeometry& g) { return g.N * g.O * g.C * kTaps * g.H * g.W; }

}  // namespace probenet::cpu
