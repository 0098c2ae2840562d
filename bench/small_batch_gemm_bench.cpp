// small_batch_gemm_bench — the three products of each linear layer of the paper's MLP at batch 32
// (forward y = x·Wᵀ, input gradient dx = g·W, weight gradient dW = gᵀ·x), timed with every GEMM
// library on this machine, on the same data and thread count:
//   openblas  cblas_sgemm of the OpenBLAS probenet links (its kernels as tensor/runtime.h chose them)
//   blis      cblas_sgemm of Debian's BLIS (libblis.so.4, loaded with dlopen beside OpenBLAS; skipped
//             with a note when it is not installed: apt-get install libblis4-openmp)
//   probenet  what its CPU backend runs: tensor/cpu/cpu_small_batch_gemm (reads W once, unpacked)
//             where it applies, OpenBLAS elsewhere
// Prints the time per product in µs, each library's total over the step's 15 products, and the largest
// difference from OpenBLAS relative to the largest |C| (the libraries sum in other orders); then each
// layer's backward with SGD inside it, dW through the update pass against dW updated in the tiles.
// usage: build/bench/small_batch_gemm_bench [threads=0 (all)] [repeats=200] [batch=32]
#include <cblas.h>
#include <sys/mman.h>
#include <dlfcn.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench/cpu_bench_common.h"
#include "tensor/backend.h"
#include "tensor/cpu/cpu_small_batch_gemm.h"
#include "tensor/random.h"
#include "tensor/runtime.h"

using namespace probenet;

namespace {

using SgemmFn = void (*)(CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, int, int, int, float, const float*, int,
                         const float*, int, float, float*, int);

struct Product {
    const char* name;
    bool ta, tb;
    int64_t M, N, K;
};

// Operands as the framework allocates them (tensor/cpu/cpu_backend.cpp): 2 MB aligned, in
// transparent huge pages where the kernel allows it.
struct HugeBuffer {
    explicit HugeBuffer(int64_t n) : n_(static_cast<size_t>(n)) {
        const size_t bytes = (n_ * sizeof(float) + (size_t{2} << 20) - 1) / (size_t{2} << 20) * (size_t{2} << 20);
        p_ = static_cast<float*>(std::aligned_alloc(size_t{2} << 20, bytes));
        madvise(p_, bytes, MADV_HUGEPAGE);
    }
    ~HugeBuffer() { std::free(p_); }
    float* data() { return p_; }
    float* begin() { return p_; }
    float* end() { return p_ + n_; }
    size_t n_;
    float* p_;
};

// Median µs of one call (bench::time_op: robust to a stray interrupt on a shared machine).
double microseconds(int repeats, const std::function<void()>& f) {
    return 1e3 * bench::time_op(f, static_cast<size_t>(repeats), 0.0);
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    const int threads = argc > 1 ? std::atoi(argv[1]) : 0;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 200;
    const int64_t batch = argc > 3 ? std::atoll(argv[3]) : 32;
    set_threads(threads);
    std::printf("%s\n", runtime_summary(Device::CPU).c_str());

    SgemmFn blis = nullptr;
    if (void* h = dlopen("libblis.so.4", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)) {
        blis = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"));
        if (auto set = reinterpret_cast<void (*)(long)>(dlsym(h, "bli_thread_set_num_threads")))
            set(threads > 0 ? threads : omp_get_max_threads());
    }
    if (!blis) std::printf("blis: not installed (apt-get install libblis4-openmp); its column is skipped\n");

    const int64_t widths[] = {784, 128, 512, 2048, 2048, 10};
    std::vector<Product> products;
    for (int l = 0; l + 1 < 6; ++l) {
        const int64_t in = widths[l], out = widths[l + 1];
        products.push_back({"y = x·Wᵀ", false, true, batch, out, in});
        products.push_back({"dx = g·W", false, false, batch, in, out});
        products.push_back({"dW = gᵀ·x", true, false, out, in, batch});
    }
    Rng rng(7);
    std::printf("%-10s %-14s %10s %10s %10s %12s %12s\n", "product", "M×N×K", "openblas", "blis", "probenet",
                "blis err", "probenet err");
    double total[3] = {0, 0, 0};
    for (const Product& p : products) {
        const int64_t rows_a = p.ta ? p.K : p.M, cols_a = p.ta ? p.M : p.K;
        const int64_t rows_b = p.tb ? p.N : p.K, cols_b = p.tb ? p.K : p.N;
        HugeBuffer A(rows_a * cols_a), B(rows_b * cols_b);
        for (float& v : A) v = rng.uniform(-1.0f, 1.0f);
        for (float& v : B) v = rng.uniform(-1.0f, 1.0f);
        std::vector<float> ref(static_cast<size_t>(p.M * p.N)), c(ref.size());
        auto with = [&](SgemmFn f, std::vector<float>& C) {
            f(CblasRowMajor, p.ta ? CblasTrans : CblasNoTrans, p.tb ? CblasTrans : CblasNoTrans, int(p.M), int(p.N),
              int(p.K), 1.0f, A.data(), int(cols_a), B.data(), int(cols_b), 0.0f, C.data(), int(p.N));
        };
        // What the CPU backend runs: these kernels where they apply, OpenBLAS elsewhere.
        const bool applies = cpu::small_batch_gemm_applies(p.ta, p.tb, p.M, p.N, p.K);
        auto ours = [&] {
            if (!applies) return with(cblas_sgemm, c);
            cpu::small_batch_gemm(p.ta, p.tb, p.M, p.N, p.K, 1.0f, A.data(), cols_a, B.data(), cols_b, 0.0f, c.data(),
                                  p.N);
        };
        auto rel_err = [&] {
            float diff = 0, scale = 0;
            for (size_t i = 0; i < ref.size(); ++i) diff = std::max(diff, std::abs(c[i] - ref[i])),
                                                    scale = std::max(scale, std::abs(ref[i]));
            return diff / scale;
        };
        const double t_open = microseconds(repeats, [&] { with(cblas_sgemm, ref); });
        double t_blis = NAN, e_blis = NAN;
        if (blis) {
            t_blis = microseconds(repeats, [&] { with(blis, c); });
            e_blis = rel_err();
        }
        const double t_ours = microseconds(repeats, ours);
        const double e_ours = rel_err();
        total[0] += t_open, total[1] += t_blis, total[2] += t_ours;
        const std::string shape = std::to_string(p.M) + "×" + std::to_string(p.N) + "×" + std::to_string(p.K);
        std::printf("%-12s %-16s %10.1f %10.1f %10.1f %12.2e %12.2e\n", p.name, shape.c_str(), t_open, t_blis, t_ours,
                    e_blis, e_ours);
    }
    std::printf("total_us openblas %.1f blis %.1f probenet %.1f (probenet/openblas %.2f)\n", total[0], total[1],
                total[2], total[2] / total[0]);

    // The backward of each layer with an input gradient as training runs it (SGD, momentum 0.9, inside
    // backward): dx and dW in one pass over W, dW handed to the update pass (consume → sgd_update) or
    // updated in the register tiles where it is summed (SgdStep). Same bits either way
    // (tests/tensor/test_linear_backward_sgd.cpp); W and the momentum keep changing, as in training.
    std::printf("\nlinear backward with SGD inside (µs): through the update pass, in the tiles\n");
    double pass_total = 0, tiles_total = 0;
    for (int l = 1; l + 1 < 6; ++l) {
        const int64_t K = widths[l], N = widths[l + 1];
        HugeBuffer g(batch * N), x(batch * K), W(N * K), m(N * K), dx(batch * K);
        for (float& v : g) v = rng.uniform(-1.0f, 1.0f);
        for (float& v : x) v = rng.uniform(-1.0f, 1.0f);
        for (float& v : W) v = rng.uniform(-0.05f, 0.05f);
        std::fill(m.begin(), m.end(), 0.0f);
        const SgdStep step{.param = W.data(), .momentum_buf = m.data(), .lr = 1e-3f, .momentum = 0.9f};
        Backend& cpu = backend_for(Device::CPU);
        auto backward = [&](const SgdStep* fused) {
            cpu.linear_backward_with_update(
                batch, N, K, g.data(), x.data(), W.data(), 0.0f, dx.data(),
                [&](int64_t offset, int64_t n, const float* grad) {
                    cpu.sgd_update(n, W.data() + offset, grad, m.data() + offset, step.lr, step.momentum, 0.0f, 0.0f,
                                   false, false);
                },
                fused);
        };
        const double t_pass = microseconds(repeats, [&] { backward(nullptr); });
        const double t_tiles = microseconds(repeats, [&] { backward(&step); });
        pass_total += t_pass, tiles_total += t_tiles;
        std::printf("%5lld → %-5lld %10.1f %10.1f\n", static_cast<long long>(K), static_cast<long long>(N), t_pass,
                    t_tiles);
    }
    std::printf("total_us update pass %.1f in tiles %.1f (%.2f)\n", pass_total, tiles_total, tiles_total / pass_total);
    return 0;
}
