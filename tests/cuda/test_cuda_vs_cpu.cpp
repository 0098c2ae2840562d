// CPU-vs-CUDA equality of every dense Backend op (transfers, fill, gemm, elementwise, reductions,
// softmax/cross-entropy, optimizer updates), each run on both devices from the same inputs; and,
// tagged [cuda-host], what needs no GPU: the error macros, the allocator's buckets and the answers
// given when no device is present. Tolerances and the skip rule: tests/cuda/cuda_compare.h.
// Convolution and pooling: test_cuda_vs_cpu_conv.cpp; autograd and training: ..._autograd.cpp.
#include <catch2/catch.hpp>

#include <cublas_v2.h>
#include <cudnn.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "cuda_compare.h"
#include "tensor/backend.h"
#include "tensor/cuda/cuda_allocator.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/cuda/cuda_check.h"
#include "tensor/error.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::testing;
using Catch::Matchers::Contains;

// --- what runs without a GPU --------------------------------------------------------------------

TEST_CASE("cuda: without a device the backend says why and never falls back", "[cuda][cuda-host]") {
    if (backend_available(Device::CUDA)) {
        const std::string d = backend_for(Device::CUDA).describe();
        INFO(d);
        CHECK_THAT(d, Contains("compute capability") && Contains("cuBLAS") && Contains("cuDNN"));
        return;
    }
    WARN("no CUDA device (" << cuda_unavailable_reason() << "): checking the no-device answers only");
    REQUIRE_FALSE(cuda_device_present());
    REQUIRE_FALSE(cuda_unavailable_reason().empty());
    REQUIRE_THROWS_WITH(backend_for(Device::CUDA), Contains("no CUDA device") && Contains("--device cpu"));
    REQUIRE_THROWS_AS(Tensor::zeros({2, 3}, Device::CUDA), Error);
    REQUIRE_THROWS_AS(Tensor::ones({2}).to(Device::CUDA), Error);
}

TEST_CASE("cuda: CUDA_CHECK, CUBLAS_CHECK, CUDNN_CHECK throw with file:line and the call", "[cuda][cuda-host]") {
    REQUIRE_THROWS_WITH([] { CUDA_CHECK(cudaSetDevice(-1)); }(),
                        Contains("CUDA error at") && Contains("test_cuda_vs_cpu.cpp:") && Contains("cudaSetDevice(-1)"));
    // The throw cleared the runtime's last error (without a driver, every call reports that instead).
    if (cuda_device_present()) REQUIRE(cudaGetLastError() == cudaSuccess);
    REQUIRE_THROWS_WITH([] { CUBLAS_CHECK(CUBLAS_STATUS_INVALID_VALUE); }(),
                        Contains("cuBLAS error at") && Contains("CUBLAS_STATUS_INVALID_VALUE"));
    REQUIRE_THROWS_WITH([] { CUDNN_CHECK(CUDNN_STATUS_BAD_PARAM); }(),
                        Contains("cuDNN error at") && Contains("CUDNN_STATUS_BAD_PARAM"));
    REQUIRE_NOTHROW([] { CUDA_CHECK(cudaSuccess); }());
}

TEST_CASE("cuda: allocator buckets cover the request with at most 25% slack", "[cuda][cuda-host]") {
    using cuda_detail::CachingDeviceAllocator;
    REQUIRE(CachingDeviceAllocator::bucket(1) == 512);
    REQUIRE(CachingDeviceAllocator::bucket(512) == 512);
    REQUIRE(CachingDeviceAllocator::bucket(513) == 1024);
    REQUIRE(CachingDeviceAllocator::bucket(4097) == 5120);
    size_t previous = 0;
    for (size_t bytes = 1; bytes < (size_t(1) << 31); bytes = bytes * 3 / 2 + 7) {
        const size_t b = CachingDeviceAllocator::bucket(bytes);
        INFO("bytes " << bytes << " bucket " << b);
        REQUIRE(b >= bytes);
        REQUIRE(b % 512 == 0);
        REQUIRE(b <= std::max<size_t>(512, bytes + bytes / 4 + 512));
        REQUIRE(b >= previous);
        REQUIRE(CachingDeviceAllocator::bucket(b) == b);  // a bucket size is its own bucket
        previous = b;
    }
}

// --- every Backend op ---------------------------------------------------------------------------

TEST_CASE("cuda vs cpu: transfers, fill, copy, views", "[cuda]") {
    REQUIRE_CUDA_OR_SKIP();
    for (int64_t n : {int64_t(1), int64_t(31), int64_t(100003)}) {
        const Tensor x = pattern({n}, 1);
        const Tensor d = gpu(x);
        REQUIRE(d.device() == Device::CUDA);
        require_exact(d, x);
        require_exact(d.clone(), x);
        require_exact(gpu(x).to(Device::CPU).to(Device::CUDA), x);
        require_exact(Tensor::full({n}, -2.5f, Device::CUDA), Tensor::full({n}, -2.5f));
        require_exact(Tensor::zeros({n}, Device::CUDA), Tensor::zeros({n}));
        Tensor dst = Tensor::full({n}, kNaN, Device::CUDA);
        ops::copy(d, dst);
        require_exact(dst, x);
    }
    const Tensor m = pattern({5, 7}, 2);
    require_exact(gpu(m).rows(1, 4), m.rows(1, 4));           // a view at an odd float offset
    require_exact(gpu(m).rows(2, 3).clone(), m.rows(2, 3));
    REQUIRE(Tensor::zeros({0}, Device::CUDA).to_vector().empty());
    REQUIRE(gpu(Tensor::full({}, 3.0f)).item() == 3.0f);
}

TEST_CASE("cuda vs cpu: gemm, every transpose, alpha/beta, odd and large shapes, strides", "[cuda][gemm]") {
    REQUIRE_CUDA_OR_SKIP();
    struct Case { int64_t M, N, K; };
    for (const Case c : {Case{1, 1, 1}, Case{3, 5, 2}, Case{37, 53, 29}, Case{128, 256, 512}, Case{33, 2048, 784}})
        for (bool ta : {false, true})
            for (bool tb : {false, true})
                for (float beta : {0.0f, 1.0f, -0.5f}) {
                    INFO("M " << c.M << " N " << c.N << " K " << c.K << " ta " << ta << " tb " << tb << " beta " << beta);
                    Rng rng(uint32_t(c.M * 7 + c.N * 3 + c.K + ta * 2 + tb));
                    const Tensor A = Tensor::normal(ta ? Shape{c.K, c.M} : Shape{c.M, c.K}, 0, 1, rng);
                    const Tensor B = Tensor::normal(tb ? Shape{c.N, c.K} : Shape{c.K, c.N}, 0, 1, rng);
                    Tensor C = beta == 0.0f ? Tensor::full({c.M, c.N}, kNaN) : Tensor::normal({c.M, c.N}, 0, 1, rng);
                    Tensor Cd = gpu(C);
                    // Scale of the rounding error: Σ_k |a_ik b_kj| + |beta c_ij|, from |A|, |B|.
                    std::vector<float> scale = ops::matmul(abs_copy(A), abs_copy(B), ta, tb).to_vector();
                    ops::gemm(A, ta, B, tb, C, 0.75f, beta);
                    ops::gemm(gpu(A), ta, gpu(B), tb, Cd, 0.75f, beta);
                    const std::vector<float> want = C.to_vector();
                    for (size_t i = 0; i < scale.size(); ++i) scale[i] += std::fabs(want[i]);
                    require_close(Cd.to_vector(), want, 1e-5, 1e-6, &scale);
                }
    // Strided operands through the backend directly: A and C are the left columns of wider buffers.
    const int64_t M = 9, N = 6, K = 4, lda = 11, ldb = N, ldc = 8;
    const Tensor Abuf = pattern({M, lda}, 3), B = pattern({K, N}, 4), Cbuf = pattern({M, ldc}, 5);
    Tensor C_cpu = Cbuf.clone(), C_gpu = gpu(Cbuf);
    const Tensor A_gpu = gpu(Abuf), B_gpu = gpu(B);
    backend_for(Device::CPU).gemm(false, false, M, N, K, 1.0f, Abuf.data(), lda, B.data(), ldb, 0.5f, C_cpu.data(), ldc);
    backend_for(Device::CUDA).gemm(false, false, M, N, K, 1.0f, A_gpu.data(), lda, B_gpu.data(), ldb, 0.5f,
                                   C_gpu.data(), ldc);
    require_close(C_gpu, C_cpu, 1e-5, 1e-5);  // columns N..ldc−1 untouched on both
    // K = 0: only beta applies (and beta = 0 clears NaN).
    for (float beta : {0.0f, 2.0f}) {
        Tensor c = beta == 0.0f ? Tensor::full({3, 4}, kNaN) : pattern({3, 4}, 6);
        Tensor cd = gpu(c);
        ops::gemm(Tensor::zeros({3, 0}), false, Tensor::zeros({0, 4}), false, c, 1.0f, beta);
        ops::gemm(Tensor::zeros({3, 0}, Device::CUDA), false, Tensor::zeros({0, 4}, Device::CUDA), false, cd, 1.0f, beta);
        require_exact(cd, c);
    }
}

TEST_CASE("cuda vs cpu: add, mul, scale, relu on sizes around block and grid edges", "[cuda]") {
    REQUIRE_CUDA_OR_SKIP();
    // 65535 blocks × 256 threads = 16776960: the last size makes threads loop twice.
    for (int64_t n : {int64_t(1), int64_t(255), int64_t(257), int64_t(1) << 20, int64_t(16777216 + 5)}) {
        INFO("n " << n);
        const Tensor a = pattern({n}, 7), b = pattern({n}, 8);
        const Tensor ad = gpu(a), bd = gpu(b);
        require_exact(ops::add(ad, bd), ops::add(a, b));
        require_exact(ops::mul(ad, bd), ops::mul(a, b));
        require_exact(ops::relu(ad), ops::relu(a));
        require_exact(ops::scale(ad, -3.0f), ops::scale(a, -3.0f));
    }
}

TEST_CASE("cuda vs cpu: axpby, mul_acc, relu_backward with beta 0 (NaN ignored), 1 and 0.5", "[cuda]") {
    REQUIRE_CUDA_OR_SKIP();
    for (int64_t n : {int64_t(3), int64_t(4097), int64_t(300001)})
        for (float beta : {0.0f, 1.0f, 0.5f}) {
            INFO("n " << n << " beta " << beta);
            const Tensor x = pattern({n}, 9), y = pattern({n}, 10);
            const Tensor start = beta == 0.0f ? Tensor::full({n}, kNaN) : pattern({n}, 11);
            Tensor c = start.clone(), d = gpu(start);
            ops::axpby(1.5f, x, beta, c);
            ops::axpby(1.5f, gpu(x), beta, d);
            require_close(d, c, 1e-6, 1e-7);
            c = start.clone(), d = gpu(start);
            ops::mul_acc(-0.7f, x, y, beta, c);
            ops::mul_acc(-0.7f, gpu(x), gpu(y), beta, d);
            require_close(d, c, 1e-6, 1e-7);
            const Tensor r = ops::relu(x);  // exact zeros appear in x, so the mask's edge is tested
            c = start.clone(), d = gpu(start);
            ops::relu_backward(r, y, beta, c);
            ops::relu_backward(gpu(r), gpu(y), beta, d);
            require_close(d, c, 1e-6, 1e-7);
        }
}

TEST_CASE("cuda vs cpu: add_bias_rows, sum_axis and broadcast_axis over every axis", "[cuda]") {
    REQUIRE_CUDA_OR_SKIP();
    for (const Shape& s : {Shape{1, 1}, Shape{32, 2048}, Shape{1000, 10}, Shape{3, 5000}}) {
        Tensor y = pattern(s, 12), yd = gpu(y);
        const Tensor bias = pattern({s[1]}, 13);
        ops::add_bias_rows(y, bias);
        ops::add_bias_rows(yd, gpu(bias));
        require_exact(yd, y);
    }
    // Shapes that reach each sum_axis kernel: short rows (warp), long rows (block), columns.
    for (const Shape& s : {Shape{2, 3, 4}, Shape{7, 1500}, Shape{3000, 3}, Shape{64, 33, 65}, Shape{200000}, Shape{1, 1}})
        for (int axis = 0; axis < int(s.size()); ++axis)
            for (float beta : {0.0f, 1.0f, -2.0f}) {
                INFO("shape " << shape_str(s) << " axis " << axis << " beta " << beta);
                const Tensor x = pattern(s, 14);
                Shape out_shape = s;
                out_shape.erase(out_shape.begin() + axis);
                const Tensor start = beta == 0.0f ? Tensor::full(out_shape, kNaN) : pattern(out_shape, 15);
                Tensor c = start.clone(), d = gpu(start);
                ops::sum_axis_into(x, axis, beta, c);
                ops::sum_axis_into(gpu(x), axis, beta, d);
                // error scale: Σ|x| along the axis + |beta·out|
                std::vector<float> scale = ops::sum_axis(abs_copy(x), axis).to_vector();
                const std::vector<float> st = start.to_vector();
                for (size_t i = 0; i < scale.size(); ++i) scale[i] += beta == 0.0f ? 0.0f : std::fabs(beta * st[i]);
                require_close(d.to_vector(), c.to_vector(), 1e-5, 1e-6, &scale);

                Tensor bc = beta == 0.0f ? Tensor::full(s, kNaN) : pattern(s, 16), bd = gpu(bc);
                const Tensor g = pattern(out_shape, 17);
                ops::broadcast_axis_into(g, axis, 0.3f, beta, bc);
                ops::broadcast_axis_into(gpu(g), axis, 0.3f, beta, bd);
                require_close(bd, bc, 1e-6, 1e-7);
            }
}

TEST_CASE("cuda vs cpu: argmax_rows (ties go to the first column), log_softmax, nll, xent backward", "[cuda]") {
    REQUIRE_CUDA_OR_SKIP();
    for (const Shape& s : {Shape{1, 1}, Shape{32, 10}, Shape{257, 100}, Shape{3, 5000}}) {
        INFO("shape " << shape_str(s));
        Rng rng(uint32_t(s[0] + s[1]));
        Tensor x = Tensor::normal(s, 0, 3, rng);
        // Ties: row r repeats its maximum in a later column, and a whole row is constant.
        for (int64_t r = 0; r < s[0]; ++r) {
            float* row = x.data() + r * s[1];
            const int64_t first = std::max_element(row, row + s[1]) - row;
            if (first + 1 < s[1]) row[s[1] - 1] = row[first] + 0.0f;
        }
        if (s[0] > 1) std::fill(x.data() + s[1], x.data() + 2 * s[1], 0.25f);
        const Tensor xd = gpu(x);
        REQUIRE(ops::argmax_rows(xd) == ops::argmax_rows(x));

        const Tensor lp = ops::log_softmax_rows(x), lpd = ops::log_softmax_rows(xd);
        require_close_norm(lpd.to_vector(), lp.to_vector(), 1e-5);

        std::vector<int32_t> labels(static_cast<size_t>(s[0]));
        for (auto& l : labels) l = static_cast<int32_t>(rng.randint(static_cast<uint32_t>(s[1])));
        // The same log-probabilities on both sides, so only the summation differs (both in double).
        REQUIRE(ops::nll_sum(gpu(lp), labels) == Approx(ops::nll_sum(lp, labels)).epsilon(1e-9));
        for (float beta : {0.0f, 1.0f}) {
            const Tensor start = beta == 0.0f ? Tensor::full(s, kNaN) : pattern(s, 19);
            Tensor c = start.clone(), d = gpu(start);
            ops::softmax_xent_backward(lp, labels, 0.125f, beta, c);
            ops::softmax_xent_backward(gpu(lp), labels, 0.125f, beta, d);
            require_close(d, c, 1e-6, 1e-7);
        }
    }
    // Large logits: the max shift keeps exp finite on both devices.
    const Tensor big = Tensor::from_vector({2, 3}, {1000, 999, -1000, -50, 80, 80});
    require_close_norm(ops::log_softmax_rows(gpu(big)).to_vector(), ops::log_softmax_rows(big).to_vector(), 1e-6);
}

TEST_CASE("cuda vs cpu: sgd_update (momentum, dampening, nesterov, weight decay) and adam_update", "[cuda][optim]") {
    REQUIRE_CUDA_OR_SKIP();
    const int64_t n = 100003;
    struct Sgd { float lr, momentum, dampening, wd; bool nesterov; };
    for (const Sgd h : {Sgd{0.1f, 0.0f, 0.0f, 0.0f, false}, Sgd{1e-3f, 0.9f, 0.0f, 0.0f, false},
                        Sgd{0.05f, 0.9f, 0.1f, 1e-2f, false}, Sgd{0.05f, 0.8f, 0.0f, 5e-4f, true}}) {
        INFO("sgd lr " << h.lr << " momentum " << h.momentum << " dampening " << h.dampening << " wd " << h.wd
                       << " nesterov " << h.nesterov);
        Tensor p = pattern({n}, 20), buf = Tensor::full({n}, kNaN);  // the first step must not read buf
        Tensor pd = gpu(p), bufd = gpu(buf);
        for (int step = 0; step < 3; ++step) {
            const Tensor g = pattern({n}, 21 + step), gd = gpu(g);
            backend_for(Device::CPU).sgd_update(n, p.data(), g.data(), buf.data(), h.lr, h.momentum, h.dampening, h.wd,
                                                h.nesterov, step == 0);
            backend_for(Device::CUDA).sgd_update(n, pd.data(), gd.data(), bufd.data(), h.lr, h.momentum, h.dampening,
                                                 h.wd, h.nesterov, step == 0);
        }
        require_close(pd, p, 1e-6, 1e-7);
        if (h.momentum != 0.0f) require_close(bufd, buf, 1e-6, 1e-7);
    }
    for (float wd : {0.0f, 1e-2f}) {
        INFO("adam wd " << wd);
        const float lr = 2e-4f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        Tensor p = pattern({n}, 30), m = Tensor::zeros({n}), v = Tensor::zeros({n});
        Tensor pd = gpu(p), md = gpu(m), vd = gpu(v);
        for (int t = 1; t <= 3; ++t) {
            const Tensor g = pattern({n}, 31 + t), gd = gpu(g);
            const float bc1 = 1.0f - std::pow(b1, float(t)), bc2 = 1.0f - std::pow(b2, float(t));
            backend_for(Device::CPU).adam_update(n, p.data(), g.data(), m.data(), v.data(), lr, b1, b2, eps, wd, bc1, bc2);
            backend_for(Device::CUDA).adam_update(n, pd.data(), gd.data(), md.data(), vd.data(), lr, b1, b2, eps, wd,
                                                  bc1, bc2);
        }
        require_close(pd, p, 1e-6, 1e-7);
        require_close(md, m, 1e-6, 5e-8);  // m may cancel to ~0: allow a rounding of its terms (~0.1)
        require_close(vd, v, 1e-6, 1e-12);
    }
}
