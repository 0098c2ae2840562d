// The CPU backend: cblas_sgemm (OpenBLAS) for matrix products, OpenMP loops for everything else.
//
// Threading: OpenBLAS is linked in its OpenMP flavour (CMakeLists.txt), so BLAS calls and our own
// `omp parallel` loops share one thread pool; with the pthread flavour both pools would spin on the
// same 2 cores. Elementwise loops only go parallel above kParallelMin elements, where splitting
// pays for the fork/join. Freed blocks are cached by size (see CachingHostAllocator) because a
// training step allocates the same activation shapes every time and fresh pages cost page faults.
#include "tensor/cpu/cpu_backend.h"

#include <cblas.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "tensor/cpu/cpu_conv.h"
#include "tensor/cpu/cpu_optim.h"
#include "tensor/cpu/cpu_simd.h"
#include "tensor/cpu/cpu_small_batch_gemm.h"
#include "tensor/error.h"

namespace probenet {

namespace {

constexpr int64_t kParallelMin = 1 << 15;

// Keeps freed blocks by exact element count; hands them out again before calling the system.
class CachingHostAllocator {
public:
    ~CachingHostAllocator() {
        for (auto& [numel, blocks] : free_)
            for (float* p : blocks) std::free(p);
    }

    float* allocate(int64_t numel) {
        if (numel == 0) return nullptr;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = free_.find(numel);
            if (it != free_.end() && !it->second.empty()) {
                float* p = it->second.back();
                it->second.pop_back();
                cached_bytes_ -= bytes(numel);
                return p;
            }
        }
        // Blocks of 2 MB and more (weights, momentum, activations of large batches) start on a 2 MB
        // boundary and ask for transparent huge pages: kernels that walk a weight matrix by rows
        // 8 KB apart (tensor/cpu/cpu_small_batch_gemm.cpp) otherwise miss the TLB at every row.
        const size_t align = bytes(numel) >= kHugePage ? kHugePage : 64;
        const size_t size = (bytes(numel) + align - 1) / align * align;
        auto* p = static_cast<float*>(std::aligned_alloc(align, size));
        PROBENET_CHECK(p != nullptr, "CPU allocator: out of memory allocating ", size, " bytes");
        if (align == kHugePage) madvise(p, size, MADV_HUGEPAGE);  // advice only: no error if refused
        return p;
    }

    void deallocate(float* p, int64_t numel) {
        if (!p) return;
        std::lock_guard<std::mutex> lock(mutex_);
        if (cached_bytes_ + bytes(numel) > kMaxCachedBytes) {
            std::free(p);
            return;
        }
        free_[numel].push_back(p);
        cached_bytes_ += bytes(numel);
    }

private:
    static size_t bytes(int64_t numel) { return static_cast<size_t>(numel) * sizeof(float); }
    static constexpr size_t kMaxCachedBytes = size_t(1) << 30;
    static constexpr size_t kHugePage = size_t(2) << 20;

    std::mutex mutex_;
    std::unordered_map<int64_t, std::vector<float*>> free_;
    size_t cached_bytes_ = 0;
};

class CpuBackend final : public Backend {
public:
    std::string describe() const override {
        std::ostringstream out;
        out << "cpu: " << omp_get_max_threads() << " OpenMP threads; BLAS ";
#ifdef PROBENET_OPENBLAS
        out << "OpenBLAS (" << openblas_get_config() << ", " << openblas_get_num_threads() << " threads)";
#else
        out << "generic CBLAS";
#endif
        out << "; batches of ≤ " << cpu::kSmallBatch << " rows: probenet's read-once linear-layer kernels";
        return out.str();
    }

    float* allocate(int64_t numel) override { return allocator_.allocate(numel); }
    void deallocate(float* ptr, int64_t numel) override { allocator_.deallocate(ptr, numel); }

    void copy(float* dst, const float* src, int64_t n) override {
        if (n) std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    }
    void copy_to_host(float* dst, const float* src, int64_t n) override { copy(dst, src, n); }
    void copy_from_host(float* dst, const float* src, int64_t n) override { copy(dst, src, n); }

    void fill(float* dst, int64_t n, float value) override {
#pragma omp parallel for simd if (n > kParallelMin)
        for (int64_t i = 0; i < n; ++i) dst[i] = value;
    }

    void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              const float* B, int64_t ldb, float beta, float* C, int64_t ldc) override {
        if (M == 0 || N == 0) return;
        if (K == 0) {  // BLAS would reject lda = 0; the product is empty, so only beta applies
            for (int64_t i = 0; i < M; ++i) axpby(N, 0.0f, C + i * ldc, beta, C + i * ldc);
            return;
        }
        if (cpu::small_batch_gemm_applies(ta, tb, M, N, K))
            return cpu::small_batch_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N),
                    int(K), alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
    }

    void gemm_tn_rows(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B, int64_t ldb,
                      const RowBlockConsumer& consume) override {
        if (!cpu::small_batch_gemm_applies(true, false, M, N, K))
            return Backend::gemm_tn_rows(M, N, K, A, lda, B, ldb, consume);
        cpu::small_batch_gemm_tn_rows(M, N, K, A, lda, B, ldb, consume);
    }

    void linear_backward_with_update(int64_t B, int64_t N, int64_t K, const float* g, const float* x, const float* W,
                                     float beta_dx, float* dx, const SegmentConsumer& consume,
                                     const SgdStep* step) override {
        if (!cpu::small_batch_gemm_applies(false, false, B, K, N) || !cpu::small_batch_gemm_applies(true, false, N, K, B))
            return Backend::linear_backward_with_update(B, N, K, g, x, W, beta_dx, dx, consume, step);
        cpu::small_batch_linear_backward(B, N, K, g, x, W, beta_dx, dx, consume, step);
    }

    void add(int64_t n, const float* a, const float* b, float* out) override {
#pragma omp parallel for simd if (n > kParallelMin)
        for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
    }
    void mul(int64_t n, const float* a, const float* b, float* out) override {
#pragma omp parallel for simd if (n > kParallelMin)
        for (int64_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
    }

    void axpby(int64_t n, float alpha, const float* x, float beta, float* y) override {
        if (beta == 0.0f) {
#pragma omp parallel for simd if (n > kParallelMin)
            for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i];
        } else {
#pragma omp parallel for simd if (n > kParallelMin)
            for (int64_t i = 0; i < n; ++i) y[i] = alpha * x[i] + beta * y[i];
        }
    }

    void mul_acc(int64_t n, float alpha, const float* a, const float* b, float beta, float* out) override {
        if (beta == 0.0f) {
#pragma omp parallel for simd if (n > kParallelMin)
            for (int64_t i = 0; i < n; ++i) out[i] = alpha * a[i] * b[i];
        } else {
#pragma omp parallel for simd if (n > kParallelMin)
            for (int64_t i = 0; i < n; ++i) out[i] = beta * out[i] + alpha * a[i] * b[i];
        }
    }

    void relu(int64_t n, const float* x, float* y) override {
#pragma omp parallel for simd if (n > kParallelMin)
        for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    }

    void relu_backward(int64_t n, const float* y, const float* gy, float beta, float* gx) override {
        if (beta == 0.0f) {  // the mask the convolution kernels apply to dy after a folded ReLU, so the bits agree
            constexpr int64_t kBlock = 4096;
#pragma omp parallel for if (n > kParallelMin)
            for (int64_t b = 0; b < n; b += kBlock) cpu::simd::relu_mask(gx + b, y + b, gy + b, std::min(kBlock, n - b));
        } else {
#pragma omp parallel for simd if (n > kParallelMin)
            for (int64_t i = 0; i < n; ++i) gx[i] = beta * gx[i] + (y[i] > 0.0f ? gy[i] : 0.0f);
        }
    }

    void add_bias_rows(int64_t rows, int64_t cols, const float* bias, float* y) override {
#pragma omp parallel for if (rows * cols > kParallelMin)
        for (int64_t r = 0; r < rows; ++r) {
            float* row = y + r * cols;
#pragma omp simd
            for (int64_t c = 0; c < cols; ++c) row[c] += bias[c];
        }
    }

    void sum_axis(int64_t outer, int64_t n, int64_t inner, const float* x, float beta, float* out) override {
#pragma omp parallel for if (outer * n * inner > kParallelMin)
        for (int64_t o = 0; o < outer; ++o) {
            float* dst = out + o * inner;
            const float* src = x + o * n * inner;
            for (int64_t i = 0; i < inner; ++i) dst[i] = beta == 0.0f ? 0.0f : beta * dst[i];
            for (int64_t j = 0; j < n; ++j) {
#pragma omp simd
                for (int64_t i = 0; i < inner; ++i) dst[i] += src[j * inner + i];
            }
        }
    }

    void broadcast_axis(int64_t outer, int64_t n, int64_t inner, float alpha, const float* g, float beta,
                        float* out) override {
#pragma omp parallel for collapse(2) if (outer * n * inner > kParallelMin)
        for (int64_t o = 0; o < outer; ++o)
            for (int64_t j = 0; j < n; ++j) {
                float* dst = out + (o * n + j) * inner;
                const float* src = g + o * inner;
                if (beta == 0.0f) {
                    for (int64_t i = 0; i < inner; ++i) dst[i] = alpha * src[i];
                } else {
                    for (int64_t i = 0; i < inner; ++i) dst[i] = beta * dst[i] + alpha * src[i];
                }
            }
    }

    void argmax_rows(int64_t rows, int64_t cols, const float* x, int32_t* out) override {
        for (int64_t r = 0; r < rows; ++r) {
            const float* row = x + r * cols;
            out[r] = static_cast<int32_t>(std::max_element(row, row + cols) - row);
        }
    }

    void log_softmax_rows(int64_t rows, int64_t cols, const float* x, float* y) override {
#pragma omp parallel for if (rows * cols > kParallelMin)
        for (int64_t r = 0; r < rows; ++r) {
            const float* in = x + r * cols;
            float* out = y + r * cols;
            const float m = *std::max_element(in, in + cols);
            double s = 0;
            for (int64_t c = 0; c < cols; ++c) s += std::exp(double(in[c] - m));
            const float log_s = static_cast<float>(std::log(s));
            for (int64_t c = 0; c < cols; ++c) out[c] = (in[c] - m) - log_s;  // exact shift first
        }
    }

    double nll_sum(int64_t rows, int64_t cols, const float* logp, const int32_t* labels) override {
        double s = 0;
        for (int64_t r = 0; r < rows; ++r) s -= logp[r * cols + labels[r]];
        return s;
    }

    void softmax_xent_backward(int64_t rows, int64_t cols, const float* logp, const int32_t* labels, float scale,
                               float beta, float* gx) override {
        for (int64_t r = 0; r < rows; ++r) {
            const float* lp = logp + r * cols;
            float* g = gx + r * cols;
            for (int64_t c = 0; c < cols; ++c) {
                const float d = scale * (std::exp(lp[c]) - (c == labels[r] ? 1.0f : 0.0f));
                g[c] = beta == 0.0f ? d : beta * g[c] + d;
            }
        }
    }

    void sgd_update(int64_t n, float* param, const float* grad, float* buf, float lr, float momentum,
                    float dampening, float weight_decay, bool nesterov, bool first_step) override {
        cpu::sgd_update(n, param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, first_step);
    }
    void adam_update(int64_t n, float* param, const float* grad, float* m, float* v, float lr, float beta1,
                     float beta2, float eps, float weight_decay, float bc1, float bc2) override {
        cpu::adam_update(n, param, grad, m, v, lr, beta1, beta2, eps, weight_decay, bc1, bc2);
    }

    // Convolution and pooling live in cpu_conv.cpp and cpu_pool.cpp.
    void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                        float* y) override {
        cpu::conv2d_forward(g, x, w, bias, y);
    }
    void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx,
                         float* dx, float beta_dw, float* dw, float beta_db, float* db) override {
        cpu::conv2d_backward(g, x, w, dy, beta_dx, dx, beta_dw, dw, beta_db, db);
    }
    void conv2d_relu_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                             float* y) override {
        cpu::conv2d_forward(g, x, w, bias, y, /*relu=*/true);
    }
    void conv2d_relu_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* y, const float* dy,
                              float beta_dx, float* dx, float beta_dw, float* dw, float beta_db, float* db) override {
        cpu::conv2d_backward(g, x, w, dy, beta_dx, dx, beta_dw, dw, beta_db, db, y);
    }
    void conv2d_relu_maxpool_forward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                     const float* w, const float* bias, float* y, float* argmax) override {
        if (!cpu::conv2d_relu_maxpool_forward(g, pg, x, w, bias, y, argmax))
            Backend::conv2d_relu_maxpool_forward(g, pg, x, w, bias, y, argmax);
    }
    void conv2d_relu_maxpool_backward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                      const float* w, const float* y, const float* argmax, const float* dy,
                                      float beta_dx, float* dx, float beta_dw, float* dw, float beta_db,
                                      float* db) override {
        if (!cpu::conv2d_relu_maxpool_backward(g, pg, x, w, y, argmax, dy, beta_dx, dx, beta_dw, dw, beta_db, db))
            Backend::conv2d_relu_maxpool_backward(g, pg, x, w, y, argmax, dy, beta_dx, dx, beta_dw, dw, beta_db, db);
    }
    void max_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y, float* argmax) override {
        cpu::max_pool2d_forward(g, x, y, argmax);
    }
    void max_pool2d_backward(const Pool2dGeometry& g, const float* dy, const float* argmax, float beta,
                             float* dx) override {
        cpu::max_pool2d_backward(g, dy, argmax, beta, dx);
    }
    void avg_pool2d_forward(const Pool2dGeometry& g, const float* x, float* y) override {
        cpu::avg_pool2d_forward(g, x, y);
    }
    void avg_pool2d_backward(const Pool2dGeometry& g, const float* dy, float beta, float* dx) override {
        cpu::avg_pool2d_backward(g, dy, beta, dx);
    }

private:
    CachingHostAllocator allocator_;
};

}  // namespace

Backend& cpu_backend() {
    static CpuBackend backend;
    return backend;
}

}  // namespace probenet
