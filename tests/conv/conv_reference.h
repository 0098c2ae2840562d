// Naive reference loops for convolution and pooling, straight from the definitions, in double.
// The tests compare the backend's im2col/GEMM and pooling kernels against these on random shapes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "tensor/tensor.h"

namespace probenet::testing {

struct ConvCase {
    int64_t N, C, H, W, O, kh, kw;
    int stride, padding;
    int64_t Ho() const { return (H + 2 * padding - kh) / stride + 1; }
    int64_t Wo() const { return (W + 2 * padding - kw) / stride + 1; }
};

// The input position read by output (oh, ow) at kernel offset (i, j), or false in the padding.
inline bool tap(const ConvCase& k, int64_t oh, int64_t ow, int64_t i, int64_t j, int64_t& h, int64_t& w) {
    h = oh * k.stride - k.padding + i, w = ow * k.stride - k.padding + j;
    return h >= 0 && h < k.H && w >= 0 && w < k.W;
}

// y[n,o,oh,ow] = b[o] + Σ_{c,i,j} w[o,c,i,j] x[n,c,h,w].
inline std::vector<double> naive_conv(const ConvCase& k, const Tensor& x, const Tensor& w, const Tensor& b) {
    std::vector<double> y;
    for (int64_t n = 0; n < k.N; ++n)
        for (int64_t o = 0; o < k.O; ++o)
            for (int64_t oh = 0; oh < k.Ho(); ++oh)
                for (int64_t ow = 0; ow < k.Wo(); ++ow) {
                    double s = b.defined() ? b.at({o}) : 0.0;
                    for (int64_t c = 0; c < k.C; ++c)
                        for (int64_t i = 0; i < k.kh; ++i)
                            for (int64_t j = 0; j < k.kw; ++j) {
                                int64_t h, ww;
                                if (tap(k, oh, ow, i, j, h, ww)) s += double(w.at({o, c, i, j})) * x.at({n, c, h, ww});
                            }
                    y.push_back(s);
                }
    return y;
}

// The adjoints of naive_conv for an upstream gradient dy: dx (N,C,H,W) and dw (O,C,kh,kw).
inline void naive_conv_backward(const ConvCase& k, const Tensor& x, const Tensor& w, const Tensor& dy,
                                std::vector<double>& dx, std::vector<double>& dw) {
    dx.assign(static_cast<size_t>(k.N * k.C * k.H * k.W), 0.0);
    dw.assign(static_cast<size_t>(k.O * k.C * k.kh * k.kw), 0.0);
    for (int64_t n = 0; n < k.N; ++n)
        for (int64_t o = 0; o < k.O; ++o)
            for (int64_t oh = 0; oh < k.Ho(); ++oh)
                for (int64_t ow = 0; ow < k.Wo(); ++ow) {
                    const double g = dy.at({n, o, oh, ow});
                    for (int64_t c = 0; c < k.C; ++c)
                        for (int64_t i = 0; i < k.kh; ++i)
                            for (int64_t j = 0; j < k.kw; ++j) {
                                int64_t h, ww;
                                if (!tap(k, oh, ow, i, j, h, ww)) continue;
                                dx[static_cast<size_t>(((n * k.C + c) * k.H + h) * k.W + ww)] += g * w.at({o, c, i, j});
                                dw[static_cast<size_t>(((o * k.C + c) * k.kh + i) * k.kw + j)] += g * x.at({n, c, h, ww});
                            }
                }
}

// Max (first largest in row-major window order, its plane index in `index`) or mean over kernel².
inline std::vector<double> naive_pool(const Tensor& x, int kernel, int stride, int padding, bool max,
                                      std::vector<int64_t>* index = nullptr) {
    const int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    const int64_t Ho = (H + 2 * padding - kernel) / stride + 1, Wo = (W + 2 * padding - kernel) / stride + 1;
    std::vector<double> y;
    for (int64_t n = 0; n < N; ++n)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t oh = 0; oh < Ho; ++oh)
                for (int64_t ow = 0; ow < Wo; ++ow) {
                    double best = -std::numeric_limits<double>::infinity(), sum = 0;
                    int64_t at = -1;
                    for (int64_t i = 0; i < kernel; ++i)
                        for (int64_t j = 0; j < kernel; ++j) {
                            const int64_t h = oh * stride - padding + i, w = ow * stride - padding + j;
                            if (h < 0 || h >= H || w < 0 || w >= W) continue;
                            const double v = x.at({n, c, h, w});
                            sum += v;
                            if (v > best) best = v, at = h * W + w;
                        }
                    y.push_back(max ? best : sum / double(kernel * kernel));
                    if (index) index->push_back(at);
                }
    return y;
}

}  // namespace probenet::testing
