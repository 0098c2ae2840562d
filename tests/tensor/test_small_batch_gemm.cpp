// The small-batch linear-layer kernels (tensor/cpu/cpu_small_batch_gemm) against a float64 reference:
// all three shapes, ragged tiles in every direction, alpha/beta (beta 0 ignoring NaN), row strides,
// the row-block delivery of Aᵀ·B, which shapes it takes; and OpenBLAS's summation order, bit for bit,
// on every product of the paper's MLP.
#include <catch2/catch.hpp>
#include <omp.h>

#include <cmath>
#include <string>
#include <limits>
#include <mutex>
#include <vector>

#include "tensor/backend.h"
#include "tensor/cpu/cpu_small_batch_gemm.h"
#include "tensor/cpu/cpu_thread_shares.h"
#include "tensor/random.h"
#include "tensor/runtime.h"
#include "tests/tensor/openblas_order.h"

using namespace probenet;

namespace {

struct Case {
    bool ta, tb;
    int64_t M, N, K;
};

std::vector<float> random_vector(int64_t n, Rng& rng) {
    std::vector<float> v(static_cast<size_t>(n));
    for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
    return v;
}

// C = alpha·op(A)·op(B) + beta·C in float64, row-major with strides.
std::vector<double> reference(const Case& c, float alpha, const std::vector<float>& A, int64_t lda,
                              const std::vector<float>& B, int64_t ldb, float beta, const std::vector<float>& C0,
                              int64_t ldc) {
    std::vector<double> out(static_cast<size_t>(c.M * ldc));
    for (int64_t i = 0; i < c.M; ++i)
        for (int64_t j = 0; j < c.N; ++j) {
            double s = 0;
            for (int64_t k = 0; k < c.K; ++k) {
                const double a = c.ta ? A[k * lda + i] : A[i * lda + k];
                const double b = c.tb ? B[j * ldb + k] : B[k * ldb + j];
                s += a * b;
            }
            const double old = beta == 0.0f ? 0.0 : beta * double(C0[i * ldc + j]);
            out[i * ldc + j] = alpha * s + old;
        }
    return out;
}

// Float32 rounding bound of a K-term dot product of values in [−1, 1], with margin.
double tolerance(int64_t K) { return 4.0 * double(K + 2) * std::numeric_limits<float>::epsilon(); }

void check_case(const Case& c, float alpha, float beta, int64_t pad) {
    Rng rng(static_cast<uint64_t>(c.M * 131 + c.N * 17 + c.K + (c.ta ? 7 : 0) + (c.tb ? 3 : 0)));
    const int64_t rows_a = c.ta ? c.K : c.M, cols_a = c.ta ? c.M : c.K;
    const int64_t rows_b = c.tb ? c.N : c.K, cols_b = c.tb ? c.K : c.N;
    const int64_t lda = cols_a + pad, ldb = cols_b + pad, ldc = c.N + pad;
    const std::vector<float> A = random_vector(rows_a * lda, rng), B = random_vector(rows_b * ldb, rng);
    std::vector<float> C = random_vector(c.M * ldc, rng);
    if (beta == 0.0f) std::fill(C.begin(), C.end(), std::numeric_limits<float>::quiet_NaN());
    const std::vector<double> want = reference(c, alpha, A, lda, B, ldb, beta, C, ldc);
    REQUIRE(cpu::small_batch_gemm_applies(c.ta, c.tb, c.M, c.N, c.K));
    cpu::small_batch_gemm(c.ta, c.tb, c.M, c.N, c.K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
    for (int64_t i = 0; i < c.M; ++i)
        for (int64_t j = 0; j < c.N; ++j) {
            INFO((c.ta ? "T" : "N") << (c.tb ? "T" : "N") << " M " << c.M << " N " << c.N << " K " << c.K << " alpha "
                                    << alpha << " beta " << beta << " pad " << pad << " at (" << i << ", " << j << ")");
            REQUIRE(std::abs(C[i * ldc + j] - want[i * ldc + j]) <= tolerance(c.K) * (1.0 + std::abs(beta)));
        }
    for (int64_t i = 0; i < c.M; ++i)  // the padding between rows of C is never written
        for (int64_t j = c.N; j < ldc; ++j)
            if (beta == 0.0f) REQUIRE(std::isnan(C[i * ldc + j]));
}

}  // namespace

TEST_CASE("small-batch GEMM: forward, input and weight gradient shapes against float64", "[tensor][gemm]") {
    // Batches around the 8-row and 32-row tiles, columns around the 48-column strips and 12-row NT
    // tiles, K from 1 up.
    for (const int64_t m : {1, 5, 8, 31, 32, 33, 64})
        for (const int64_t n : {64, 65, 100})
            for (const int64_t k : {1, 3, 47, 130}) check_case({false, true, m, n, k}, 1.0f, 0.0f, 0);
    for (const int64_t m : {1, 7, 8, 32, 45, 64})
        for (const int64_t n : {1, 15, 16, 17, 47, 48, 49, 97})
            for (const int64_t k : {1, 10, 65}) check_case({false, false, m, n, k}, 1.0f, 0.0f, 0);
    for (const int64_t m : {1, 3, 8, 9, 16, 29})
        for (const int64_t n : {1, 16, 33, 48, 50})
            for (const int64_t k : {1, 2, 32, 64}) check_case({true, false, m, n, k}, 1.0f, 0.0f, 0);
}

TEST_CASE("small-batch GEMM: alpha, beta and row strides", "[tensor][gemm]") {
    for (const float beta : {0.0f, 1.0f, 0.5f})
        for (const int64_t pad : {0, 3}) {
            check_case({false, true, 32, 70, 40}, 1.0f, beta, pad);
            check_case({false, false, 32, 70, 40}, 2.0f, beta, pad);
            check_case({true, false, 70, 50, 32}, -0.5f, beta, pad);
        }
}

TEST_CASE("small-batch GEMM: the forward's result does not depend on how its rows are split",
          "[tensor][gemm][threads]") {
    // NT at 2 threads, two panels (32 + 8 batch rows), 25 tiles of W's rows: once from the split a new
    // shape starts with, once after the shares learned that thread 0 is five times slower.
    const int64_t M = 40, N = 300, K = 300;
    Rng rng(99);
    const std::vector<float> A = random_vector(M * K, rng), B = random_vector(N * K, rng);
    const int threads_before = omp_get_max_threads();
    set_threads(2);
    std::vector<float> even(static_cast<size_t>(M * N)), skewed(even.size());
    cpu::small_batch_gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, even.data(), N);
    const int64_t tiles = (N + 11) / 12;
    for (const int64_t rows : {32, 8}) {
        const uint64_t key = cpu::small_batch_nt_split_key(rows, N, K);
        for (int i = 0; i < 3; ++i)
            cpu::thread_shares().learn(key, cpu::thread_shares().split(key, 2, tiles, 1), {5.0, 1.0});
        CHECK(cpu::thread_shares().split(key, 2, tiles, 1)[1] < tiles / 2);
    }
    cpu::small_batch_gemm(false, true, M, N, K, 1.0f, A.data(), K, B.data(), K, 0.0f, skewed.data(), N);
    set_threads(threads_before);
    CHECK(skewed == even);
}

TEST_CASE("small-batch GEMM: the shapes it takes and the ones it leaves to BLAS", "[tensor][gemm]") {
    CHECK(cpu::small_batch_gemm_applies(false, true, 32, 2048, 2048));   // forward
    CHECK(cpu::small_batch_gemm_applies(false, false, 32, 2048, 2048));  // input gradient
    CHECK(cpu::small_batch_gemm_applies(true, false, 2048, 2048, 32));   // weight gradient
    CHECK_FALSE(cpu::small_batch_gemm_applies(false, true, 65, 2048, 2048));  // a probe's large batch
    CHECK_FALSE(cpu::small_batch_gemm_applies(false, true, 32, 10, 2048));    // few rows of W
    CHECK_FALSE(cpu::small_batch_gemm_applies(true, false, 2048, 2048, 65));
    CHECK_FALSE(cpu::small_batch_gemm_applies(true, true, 8, 8, 8));
    CHECK_FALSE(cpu::small_batch_gemm_applies(false, false, 0, 8, 8));
}

TEST_CASE("small-batch GEMM: Aᵀ·B by row blocks covers every row once with the product's values", "[tensor][gemm]") {
    for (const int64_t m : {1, 8, 13, 300}) {
        const int64_t n = 53, k = 32;
        Rng rng(static_cast<uint64_t>(m));
        const std::vector<float> A = random_vector(k * m, rng), B = random_vector(k * n, rng);
        std::vector<float> whole(static_cast<size_t>(m * n)), blocks(whole.size(), -7.0f);
        std::vector<int> seen(static_cast<size_t>(m), 0);
        cpu::small_batch_gemm(true, false, m, n, k, 1.0f, A.data(), m, B.data(), n, 0.0f, whole.data(), n);
        std::mutex mutex;
        backend_for(Device::CPU).gemm_tn_rows(m, n, k, A.data(), m, B.data(), n,
                                              [&](int64_t row0, int64_t rows, const float* block) {
                                                  std::lock_guard<std::mutex> lock(mutex);
                                                  for (int64_t r = 0; r < rows; ++r) {
                                                      ++seen[static_cast<size_t>(row0 + r)];
                                                      std::copy(block + r * n, block + (r + 1) * n,
                                                                blocks.begin() + (row0 + r) * n);
                                                  }
                                              });
        for (int64_t r = 0; r < m; ++r) REQUIRE(seen[static_cast<size_t>(r)] == 1);
        REQUIRE(blocks == whole);  // the same kernel: equal bit for bit
    }
}


TEST_CASE("small-batch GEMM sums every product of the paper's MLP in OpenBLAS's order, bit for bit", "[tensor][gemm]") {
    // The order of OpenBLAS's SkylakeX SGEMM and so of PyTorch on this machine: with it,
    // scripts/torch_same_init.sh finds probenet within 5e-8 of PyTorch after 40 MLP steps.
    const int64_t widths[] = {784, 128, 512, 2048, 2048, 10};
    Rng rng(21);
    for (const int64_t batch : {32, 7})
        for (int l = 0; l + 1 < 6; ++l) {
            const int64_t in = widths[l], out = widths[l + 1];
            const std::vector<float> x = random_vector(batch * in, rng), w = random_vector(out * in, rng),
                                     g = random_vector(batch * out, rng);
            for (const float beta : {0.0f, 1.0f}) {
                // forward y = x·Wᵀ (batch, out), input gradient dx = g·W (batch, in), weight gradient gᵀ·x (out, in)
                struct Product {
                    bool ta, tb;
                    int64_t M, N, K;
                    const float *A, *B;
                    int64_t lda, ldb;
                };
                const Product products[] = {{false, true, batch, out, in, x.data(), w.data(), in, in},
                                            {false, false, batch, in, out, g.data(), w.data(), out, in},
                                            {true, false, out, in, batch, g.data(), x.data(), out, in}};
                for (const Product& p : products) {
                    if (!cpu::small_batch_gemm_applies(p.ta, p.tb, p.M, p.N, p.K)) continue;
                    std::vector<float> mine(static_cast<size_t>(p.M * p.N), 0.25f);
                    cpu::small_batch_gemm(p.ta, p.tb, p.M, p.N, p.K, 1.0f, p.A, p.lda, p.B, p.ldb, beta, mine.data(),
                                          p.N);
                    for (int64_t i = 0; i < p.M; ++i)
                        for (int64_t j = 0; j < p.N; ++j) {
                            const float* a = p.ta ? p.A + i : p.A + i * p.lda;
                            const float* b = p.tb ? p.B + j * p.ldb : p.B + j;
                            const float want = openblas_order(a, p.ta ? p.lda : 1, b, p.tb ? 1 : p.ldb, p.K, beta, 0.25f);
                            INFO((p.ta ? "T" : "N") << (p.tb ? "T" : "N") << " M " << p.M << " N " << p.N << " K " << p.K
                                                    << " beta " << beta << " at (" << i << ", " << j << ")");
                            REQUIRE(mine[static_cast<size_t>(i * p.N + j)] == want);
                        }
                }
            }
        }
}
