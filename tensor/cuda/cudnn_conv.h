// CudnnConv: Backend's conv2d forward, backward-data, backward-filter and backward-bias on cuDNN's
// legacy convolution API (still the documented v9 path for plain NCHW FP32 convolutions).
//   forward          y(N,O,Ho,Wo)  = w(O,C,kh,kw) ⋆ x(N,C,H,W) [+ bias(O) on every (n, ·, ho, wo)]
//   backward_data    dx(N,C,H,W)   = β·dx + the transposed convolution of dy with w
//   backward_filter  dw(O,C,kh,kw) = β·dw + dy correlated with x
//   backward_bias    db(O)         = β·db + Σ_{n,ho,wo} dy
// (cross-correlation, square or not, padding and stride from Conv2dGeometry; cuDNN's β = 0 never
// reads the output, as Backend requires.)
//
// One plan per geometry, cached for the program's life: the four descriptors, and per direction
// the algorithm and its workspace size, chosen on first use with cudnnGet*Algorithm_v7 — cuDNN's
// heuristics, which is what PyTorch uses by default (cudnn.benchmark = False), so timings compare
// like for like; no trial runs, so no surprise allocations or non-reproducible choices. The first
// algorithm that cuDNN reports usable, that is not a tensor-core one and whose workspace fits
// kMaxWorkspace is taken. Math is CUDNN_FMA_MATH: plain FP32, no TF32, so results stay within
// float rounding of the CPU's (FFT and Winograd algorithms round more than a direct sum; the tests
// allow for it). Workspaces come from the caching allocator, so steady training makes no cudaMalloc.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>

#include "tensor/conv_geometry.h"
#include "tensor/cuda/cuda_allocator.h"
#include "tensor/cuda/cudnn_context.h"

namespace probenet::cuda_detail {

class CudnnConv {
public:
    CudnnConv(cudaStream_t stream, CachingDeviceAllocator& allocator) : handle_(stream), allocator_(allocator) {}
    CudnnConv(const CudnnConv&) = delete;
    CudnnConv& operator=(const CudnnConv&) = delete;

    void forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y);
    void backward_data(const Conv2dGeometry& g, const float* dy, const float* w, float beta, float* dx);
    void backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, float beta, float* dw);
    void backward_bias(const Conv2dGeometry& g, const float* dy, float beta, float* db);

    static constexpr size_t kMaxWorkspace = size_t(1) << 30;

    // One direction's algorithm and its workspace size, once chosen (choose_once in cudnn_conv.cpp).
    template <typename Algo>
    struct Chosen {
        bool done = false;
        Algo algo{};
        size_t bytes = 0;
    };

private:
    // The descriptors of one geometry and, per direction, the algorithm once chosen.
    struct Plan {
        cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
        cudnnFilterDescriptor_t w = nullptr;
        cudnnConvolutionDescriptor_t conv = nullptr;
        Chosen<cudnnConvolutionFwdAlgo_t> fwd;
        Chosen<cudnnConvolutionBwdDataAlgo_t> bwd_data;
        Chosen<cudnnConvolutionBwdFilterAlgo_t> bwd_filter;

        Plan() = default;
        ~Plan();
        Plan(const Plan&) = delete;
        Plan& operator=(const Plan&) = delete;
    };

    Plan& plan(const Conv2dGeometry& g);

    CudnnHandle handle_;
    CachingDeviceAllocator& allocator_;
    std::map<std::array<int64_t, 11>, std::unique_ptr<Plan>> plans_;
};

}  // namespace probenet::cuda_detail
