// CudaBackend: Backend (tensor/backend.h) on one NVIDIA GPU.
//
// Every op is queued on one CUDA stream that the backend owns: cuBLAS (cublas_gemm.h) for gemm,
// cuDNN (cudnn_conv.h) for convolutions, the backend's own kernels for the rest
// (elementwise_kernels.h, reduction_kernels.h, softmax_kernels.h, optim_kernels.h, pool_kernels.h),
// memory from the caching allocator (cuda_allocator.h).
// Work is asynchronous; the calls that hand results to the host (copy_to_host, argmax_rows,
// nll_sum) wait for the stream, which is also where an asynchronous kernel fault surfaces.
// Labels arrive in host memory (Backend's contract) and are uploaded to a reused device buffer;
// an upload from pageable memory is staged by the runtime before the call returns, so the caller
// may free its vector at once.
//
// The backend lives from first use to program exit. It is never destroyed (a tensor in a static
// may release its memory after any destructor of ours has run); instead an exit hook returns the
// allocator's cached blocks to the driver.
#include "tensor/cuda/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <cstring>
#include <memory>

#include "tensor/cuda/cublas_gemm.h"
#include "tensor/cuda/cuda_allocator.h"
#include "tensor/cuda/cuda_check.h"
#include "tensor/cuda/cuda_device.h"
#include "tensor/cuda/cudnn_context.h"
#include "tensor/cuda/cudnn_conv.h"
#include "tensor/cuda/elementwise_kernels.h"
#include "tensor/cuda/optim_kernels.h"
#include "tensor/cuda/pool_kernels.h"
#include "tensor/cuda/reduction_kernels.h"
#include "tensor/cuda/softmax_kernels.h"
#include "tensor/error.h"

namespace probenet {

namespace {

using namespace cuda_detail;

class CudaBackend final : public Backend {
public:
    explicit CudaBackend(int device)
        : device_(device), labels_(allocator_), host_results_(allocator_) {
        CUDA_CHECK(cudaSetDevice(device_));
        cudaDeviceProp prop{};
        CUDA_CHECK(cudaGetDeviceProperties(&prop, device_));
        CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
        gemm_ = std::make_unique<CublasGemm>(stream_, allocator_, prop.major);
        conv_ = std::make_unique<CudnnConv>(stream_, allocator_);
        description_ = "cuda: " + describe_device(device_) + "; " + CublasGemm::version() + "; " + cudnn_version();
    }

    CachingDeviceAllocator& allocator() { return allocator_; }

    std::string describe() const override { return description_; }

    float* allocate(int64_t numel) override { return static_cast<float*>(allocator_.allocate(bytes(numel))); }
    void deallocate(float* ptr, int64_t numel) override { allocator_.deallocate(ptr, bytes(numel)); }

    void copy(float* dst, const float* src, int64_t n) override {
        if (n) CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes(n), cudaMemcpyDeviceToDevice, stream_));
    }
    void copy_to_host(float* host_dst, const float* src, int64_t n) override {
        if (!n) return;
        CUDA_CHECK(cudaMemcpyAsync(host_dst, src, bytes(n), cudaMemcpyDeviceToHost, stream_));
        CUDA_CHECK(cudaStreamSynchronize(stream_));
    }
    void copy_from_host(float* dst, const float* host_src, int64_t n) override {
        if (n) CUDA_CHECK(cudaMemcpyAsync(dst, host_src, bytes(n), cudaMemcpyHostToDevice, stream_));
    }
    void fill(float* dst, int64_t n, float value) override { cuda_detail::fill(stream_, n, value, dst); }

    void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc) override {
        gemm_->gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    }

    void add(int64_t n, const float* a, const float* b, float* out) override { cuda_detail::add(stream_, n, a, b, out); }
    void mul(int64_t n, const float* a, const float* b, float* out) override { cuda_detail::mul(stream_, n, a, b, out); }
    void axpby(int64_t n, float alpha, const float* x, float beta, float* y) override {
        cuda_detail::axpby(stream_, n, alpha, x, beta, y);
    }
    void mul_acc(int64_t n, float alpha, const float* a, const float* b, float beta, float* out) override {
        cuda_detail::mul_acc(stream_, n, alpha, a, b, beta, out);
    }
    void relu(int64_t n, const float* x, float* y) override { cuda_detail::relu(stream_, n, x, y); }
    void relu_backward(int64_t n, const float* y, const float* gy, float beta, float* gx) override {
        cuda_detail::relu_backward(stream_, n, y, gy, beta, gx);
    }

    void add_bias_rows(int64_t rows, int64_t cols, const float* bias, float* y) override {
        cuda_detail::add_bias_rows(stream_, rows, cols, bias, y);
    }
    void sum_axis(int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out) override {
        cuda_detail::sum_axis(stream_, outer, n, inner, x, beta, out);
    }
    void broadcast_axis(int64_t outer, int64_t n, int64_t inner, float alpha, const float* g, float beta,
                        float* out) override {
        cuda_detail::broadcast_axis(stream_, outer, n, inner, alpha, g, beta, out);
    }

    void argmax_rows(int64_t rows, int64_t cols, const float* x, int32_t* host_out) override {
        if (rows == 0) return;
        auto* out = static_cast<int32_t*>(host_results_.get(sizeof(int32_t) * static_cast<size_t>(rows)));
        cuda_detail::argmax_rows(stream_, rows, cols, x, out);
        CUDA_CHECK(cudaMemcpyAsync(host_out, out, sizeof(int32_t) * static_cast<size_t>(rows), cudaMemcpyDeviceToHost,
                                   stream_));
        CUDA_CHECK(cudaStreamSynchronize(stream_));
    }
    void log_softmax_rows(int64_t rows, int64_t cols, const float* x, float* y) override {
        cuda_detail::log_softmax_rows(stream_, rows, cols, x, y);
    }
    double nll_sum(int64_t rows, int64_t cols, const float* logp, const int32_t* host_labels) override {
        if (rows == 0) return 0.0;
        const int32_t* labels = upload_labels(rows, host_labels);
        auto* out = static_cast<double*>(host_results_.get(sizeof(double)));
        cuda_detail::nll_sum(stream_, rows, cols, logp, labels, out);
        double result = 0.0;
        CUDA_CHECK(cudaMemcpyAsync(&result, out, sizeof(double), cudaMemcpyDeviceToHost, stream_));
        CUDA_CHECK(cudaStreamSynchronize(stream_));
        return result;
    }
    void softmax_xent_backward(int64_t rows, int64_t cols, const float* logp, const int32_t* host_labels, float scale,
                               float beta, float* gx) override {
        if (rows == 0) return;
        const int32_t* labels = upload_labels(rows, host_labels);
        cuda_detail::softmax_xent_backward(stream_, rows, cols, logp, labels, scale, beta, gx);
    }

    void sgd_update(int64_t n, float* param, const float* grad, float* buf, float lr, float momentum, float dampening,
                    float weight_decay, bool nesterov, bool first_step) override {
        cuda_detail::sgd_update(stream_, n, param, grad, buf, lr, momentum, dampening, weight_decay, nesterov,
                                first_step);
    }
    void adam_update(int64_t n, float* param, const float* grad, float* m, float* v, float lr, float beta1,
                     float beta2, float eps, float weight_decay, float bc1, float bc2) override {
        cuda_detail::adam_update(stream_, n, param, grad, m, v, lr, beta1, beta2, eps, weight_decay, bc1, bc2);
    }

    void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                        float* y) override {
        conv_->forward(g, x, w, bias, y);
    }
    void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx,
                         float* dx, float beta_dw, float* dw, float beta_db, float* db) override {
        if (dx) conv_->backward_data(g, dy, w, beta_dx, dx);
        if (dw) conv_->backward_filter(g, x, dy, beta_dw, dw);
        if (db) conv_->backward_bias(g, dy, beta_db, db);
    }
    void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax) override {
        cuda_detail::max_pool2d_forward(stream_, g, x, y, argmax);
    }
    void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta,
                             float* dx) override {
        cuda_detail::max_pool2d_backward(stream_, g, dy, argmax, beta, dx);
    }
    void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) override {
        cuda_detail::avg_pool2d_forward(stream_, g, x, y);
    }
    void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx) override {
        cuda_detail::avg_pool2d_backward(stream_, g, dy, beta, dx);
    }

private:
    static size_t bytes(int64_t numel) { return static_cast<size_t>(numel) * sizeof(float); }

    const int32_t* upload_labels(int64_t rows, const int32_t* host_labels) {
        const size_t size = sizeof(int32_t) * static_cast<size_t>(rows);
        void* dst = labels_.get(size);
        CUDA_CHECK(cudaMemcpyAsync(dst, host_labels, size, cudaMemcpyHostToDevice, stream_));
        return static_cast<const int32_t*>(dst);
    }

    int device_;
    CachingDeviceAllocator allocator_;  // declared before everything that holds its memory
    ScratchBuffer labels_;              // the last upload of host labels
    ScratchBuffer host_results_;        // argmax indices and the NLL sum on their way to the host
    cudaStream_t stream_ = nullptr;
    std::unique_ptr<CublasGemm> gemm_;
    std::unique_ptr<CudnnConv> conv_;
    std::string description_;
};

CudaBackend& the_backend() {
    const DeviceProbe& probe = device_probe();
    PROBENET_CHECK(probe.present, "no CUDA device: ", probe.reason,
                   ". Run on a machine with an NVIDIA GPU and driver, or use --device cpu");
    static CudaBackend* backend = new CudaBackend(probe.device);  // never destroyed: see the file comment
    static struct ExitHook {
        ~ExitHook() { backend->allocator().shut_down(); }
    } exit_hook;
    return *backend;
}

}  // namespace

bool cuda_device_present() { return cuda_detail::device_probe().present; }

std::string cuda_unavailable_reason() { return cuda_detail::device_probe().reason; }

Backend& cuda_backend() { return the_backend(); }

CudaMemoryStats cuda_memory_stats() {
    const AllocatorStats s = the_backend().allocator().stats();
    return {s.device_allocations, s.bytes_in_use, s.peak_bytes_in_use, s.bytes_cached};
}

}  // namespace probenet
