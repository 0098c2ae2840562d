// Device → backend lookup. The CUDA branch exists only in builds configured with PROBENET_CUDA.
#include "tensor/backend.h"

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"
#ifdef PROBENET_WITH_CUDA
#include "tensor/cuda/cuda_backend.h"
#endif

namespace probenet {

Device parse_device(const std::string& name) {
    if (name == "cpu") return Device::CPU;
    if (name == "cuda") return Device::CUDA;
    throw Error("unknown device '" + name + "': use 'cpu' or 'cuda'");
}

namespace {

// n floats from a backend for the defaults below, handed back when the scope ends (or an exception
// passes through it).
class Temporary {
public:
    Temporary(Backend& backend, int64_t n) : backend_(backend), n_(n), data_(backend.allocate(n)) {}
    ~Temporary() { backend_.deallocate(data_, n_); }
    Temporary(const Temporary&) = delete;
    Temporary& operator=(const Temporary&) = delete;
    float* get() const { return data_; }

private:
    Backend& backend_;
    int64_t n_;
    float* data_;
};

}  // namespace

void Backend::gemm_tn_rows(int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
                           int64_t ldb, const RowBlockConsumer& consume) {
    if (M == 0 || N == 0) return;
    const Temporary c(*this, M * N);
    gemm(true, false, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, c.get(), N);
    consume(0, M, c.get());
}

void Backend::linear_backward_with_update(int64_t B, int64_t N, int64_t K, const float* g, const float* x,
                                          const float* W, float beta_dx, float* dx, const SegmentConsumer& consume,
                                          const SgdStep* /*step: consume does the same update*/) {
    gemm(false, false, B, K, N, 1.0f, g, N, W, K, beta_dx, dx, K);
    gemm_tn_rows(N, K, B, g, N, x, K, [&](int64_t row0, int64_t rows, const float* block) {
        consume(row0 * K, rows * K, block);
    });
}

void Backend::conv2d_relu_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias,
                                  float* y) {
    conv2d_forward(g, x, w, bias, y);
    relu(g.N * g.O * g.output_plane(), y, y);
}

void Backend::conv2d_relu_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* y,
                                   const float* dy, float beta_dx, float* dx, float beta_dw, float* dw, float beta_db,
                                   float* db) {
    const int64_t n = g.N * g.O * g.output_plane();
    const Temporary masked(*this, n);
    relu_backward(n, y, dy, 0.0f, masked.get());
    conv2d_backward(g, x, w, masked.get(), beta_dx, dx, beta_dw, dw, beta_db, db);
}

void Backend::conv2d_relu_maxpool_forward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                          const float* w, const float* bias, float* y, float* argmax) {
    const Temporary conv(*this, g.N * g.O * g.output_plane());
    conv2d_relu_forward(g, x, w, bias, conv.get());
    max_pool2d_forward(pg, conv.get(), y, argmax);
}

void Backend::conv2d_relu_maxpool_backward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x,
                                           const float* w, const float* y, const float* argmax, const float* dy,
                                           float beta_dx, float* dx, float beta_dw, float* dw, float beta_db,
                                           float* db) {
    const int64_t pooled = pg.planes() * pg.Ho * pg.Wo;
    const Temporary masked(*this, pooled), full(*this, g.N * g.O * g.output_plane());
    relu_backward(pooled, y, dy, 0.0f, masked.get());
    max_pool2d_backward(pg, masked.get(), argmax, 0.0f, full.get());
    conv2d_backward(g, x, w, full.get(), beta_dx, dx, beta_dw, dw, beta_db, db);
}

bool backend_available(Device device) {
    if (device == Device::CPU) return true;
#ifdef PROBENET_WITH_CUDA
    return cuda_device_present();
#else
    return false;
#endif
}

Backend& backend_for(Device device) {
    if (device == Device::CPU) return cpu_backend();
#ifdef PROBENET_WITH_CUDA
    return cuda_backend();
#else
    throw Error("this build has no CUDA backend: reconfigure with -DPROBENET_CUDA=ON (needs nvcc, cuBLAS, cuDNN) "
                "or run with --device cpu");
#endif
}

}  // namespace probenet
