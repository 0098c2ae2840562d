// conv2d ops against the naive loops of conv_reference.h on random shapes (covering the kernel's
// code paths: one image per GEMM, several images side by side with a ragged last chunk, chunks on
// parallel threads or in turn, a single chunk run with threaded BLAS, the 1×1 shortcut, stride 2, padding, non-square kernels and
// images), against hand-computed values, and the beta contract of the backward op.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "conv_reference.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "tensor/conv_ops.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace probenet;
using probenet::testing::ConvCase;

namespace {

// float sums of n unit-sized products are off by up to ~n·1e-7 of their scale: the tolerance of a
// result summed over n terms grows with n (a real bug moves values by O(1)).
double tolerance(int64_t terms) { return std::max(1e-4, 1e-6 * double(terms)); }

void require_close(const std::vector<float>& got, const std::vector<double>& want, double tol = 1e-4) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i);
        REQUIRE(got[i] == Approx(want[i]).margin(tol).epsilon(1e-4));
    }
}

std::string describe(const ConvCase& k) {
    return "x (" + std::to_string(k.N) + ", " + std::to_string(k.C) + ", " + std::to_string(k.H) + ", " +
           std::to_string(k.W) + ") w (" + std::to_string(k.O) + ", " + std::to_string(k.C) + ", " +
           std::to_string(k.kh) + ", " + std::to_string(k.kw) + ") stride " + std::to_string(k.stride) +
           " padding " + std::to_string(k.padding);
}

// 3×3 stride-1 padding-1 convolutions with at least 8 channels in and out, on planes of at least 16
// pixels, take the direct kernels (cpu_conv3x3.h; channels-major for multiples of 64 outputs on small
// planes; Winograd's F(2×2, 3×3) when both sides have a multiple of 16 channels), the rest im2col +
// GEMM. The first two are large enough (≥ 2^20 multiply-adds) for chunks to run on parallel threads.
const std::vector<ConvCase> kCases = {
    {4, 8, 28, 28, 8, 3, 3, 1, 1},   // direct, in parallel
    {8, 8, 14, 14, 16, 3, 3, 1, 1},  // direct, several images per chunk, in parallel
    {3, 9, 7, 5, 12, 3, 3, 1, 1},    // direct: odd channel count, 12 filters (padded blocks), odd width
    {2, 16, 3, 20, 8, 3, 3, 1, 1},   // direct: rows wider than a 16-float vector
    {3, 64, 5, 7, 64, 3, 3, 1, 1},   // Winograd both ways: odd height and width (tiles cut by the edge)
    {12, 32, 14, 14, 32, 3, 3, 1, 1},  // Winograd, several sub-chunks per chunk, in parallel
    {3, 32, 7, 7, 64, 3, 3, 1, 1},   // Winograd 32 → 64, backward 64 → 32: two tile rows per vector
    {2, 48, 6, 9, 32, 3, 3, 1, 1},   // Winograd 48 → 32, backward 32 → 48
    {2, 16, 4, 37, 16, 3, 3, 1, 1},  // Winograd on rows of 19 tiles: 15 per vector, then 4
    {2, 16, 28, 28, 16, 3, 3, 1, 1}, // Winograd on 28×28 (the paper's conv2): 14 tiles per vector
    {3, 16, 5, 7, 64, 3, 3, 1, 1},   // Winograd 16 → 64 (direct with it off: channels-major forward)
    {2, 8, 4, 5, 128, 3, 3, 1, 1},   // channels-major forward with two 64-channel blocks
    {5, 32, 3, 3, 48, 3, 3, 1, 1},   // a 3×3 plane (under 16 pixels): im2col, several images per GEMM
    {3, 2, 28, 28, 4, 3, 3, 1, 1},   // one image per GEMM, in turn
    {9, 3, 6, 5, 4, 3, 3, 1, 1},     // small plane: several images per GEMM, ragged last chunk
    {1, 3, 7, 9, 5, 3, 3, 1, 0},     // one chunk: BLAS threads the GEMM
    {5, 4, 5, 6, 3, 1, 1, 1, 0},     // 1×1 stride 1: no im2col
    {4, 2, 9, 7, 3, 3, 3, 2, 1},     // stride 2 with padding
    {2, 3, 8, 6, 2, 1, 1, 2, 0},     // 1×1 stride 2: goes through im2col
    {3, 2, 6, 7, 3, 2, 3, 1, 2},     // non-square kernel, padding 2
    {2, 1, 11, 13, 2, 5, 4, 3, 2},   // large kernel, stride 3
};

}  // namespace

TEST_CASE("conv2d forward matches a direct loop on random shapes", "[conv]") {
    Rng rng(21);
    for (const ConvCase& k : kCases) {
        INFO(describe(k));
        const Tensor x = Tensor::normal({k.N, k.C, k.H, k.W}, 0, 1, rng);
        const Tensor w = Tensor::normal({k.O, k.C, k.kh, k.kw}, 0, 1, rng);
        const Tensor b = Tensor::normal({k.O}, 0, 1, rng);
        const Tensor y = ops::conv2d(x, w, b, k.stride, k.padding);
        REQUIRE(y.shape() == Shape{k.N, k.O, k.Ho(), k.Wo()});
        const double tol = tolerance(k.C * k.kh * k.kw);
        require_close(y.to_vector(), testing::naive_conv(k, x, w, b), tol);
        require_close(ops::conv2d(x, w, Tensor(), k.stride, k.padding).to_vector(),
                      testing::naive_conv(k, x, w, Tensor()), tol);
    }
}

TEST_CASE("conv2d backward matches the adjoint loops and honours each gradient's beta", "[conv]") {
    Rng rng(22);
    for (const ConvCase& k : kCases) {
        INFO(describe(k));
        const Tensor x = Tensor::normal({k.N, k.C, k.H, k.W}, 0, 1, rng);
        const Tensor w = Tensor::normal({k.O, k.C, k.kh, k.kw}, 0, 1, rng);
        const Tensor dy = Tensor::normal({k.N, k.O, k.Ho(), k.Wo()}, 0, 1, rng);
        std::vector<double> dx_want, dw_want;
        testing::naive_conv_backward(k, x, w, dy, dx_want, dw_want);
        const double tx = tolerance(k.O * k.kh * k.kw), tw = tolerance(k.N * k.Ho() * k.Wo());
        std::vector<double> db_want(static_cast<size_t>(k.O), 0.0);
        for (int64_t n = 0; n < k.N; ++n)
            for (int64_t o = 0; o < k.O; ++o)
                for (int64_t p = 0; p < k.Ho() * k.Wo(); ++p) db_want[o] += dy.data()[(n * k.O + o) * k.Ho() * k.Wo() + p];

        // beta = 0 must ignore garbage (NaN) already in the output.
        Tensor dx = Tensor::full(x.shape(), NAN), dw = Tensor::full(w.shape(), NAN), db = Tensor::full({k.O}, NAN);
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {&dx, 0.0f, &dw, 0.0f, &db, 0.0f});
        require_close(dx.to_vector(), dx_want, tx);
        require_close(dw.to_vector(), dw_want, tw);
        require_close(db.to_vector(), db_want, tw);

        // The filter and bias gradients without dx, each with its own beta.
        Tensor dw2 = Tensor::full(w.shape(), NAN), db2 = Tensor::ones({k.O});
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {nullptr, 0.0f, &dw2, 0.0f, &db2, 1.0f});
        require_close(dw2.to_vector(), dw_want, tw);
        std::vector<double> db_plus_one = db_want;
        for (double& v : db_plus_one) v += 1;
        require_close(db2.to_vector(), db_plus_one, tw);

        // beta = 1 adds onto what is there: a second call doubles the result.
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {&dx, 1.0f, &dw, 1.0f, &db, 1.0f});
        for (double& v : dx_want) v *= 2;
        for (double& v : dw_want) v *= 2;
        for (double& v : db_want) v *= 2;
        require_close(dx.to_vector(), dx_want, tx);
        require_close(dw.to_vector(), dw_want, tw);
        require_close(db.to_vector(), db_want, tw);
        Tensor db3 = Tensor::full({k.O}, NAN);  // beta_db = 0 ignores NaN while dw accumulates
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {nullptr, 0.0f, &dw2, 1.0f, &db3, 0.0f});
        require_close(dw2.to_vector(), dw_want, tw);
        for (double& v : db_want) v /= 2;
        require_close(db3.to_vector(), db_want, tw);

        // Mixed betas in one call, and the other subsets.
        for (double& v : dx_want) v /= 2;
        for (double& v : dw_want) v /= 2;
        Tensor fx = Tensor::full(x.shape(), NAN), fw = Tensor::ones(w.shape()), fb = Tensor::full({k.O}, NAN);
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {&fx, 0.0f, &fw, 1.0f, &fb, 0.0f});
        require_close(fx.to_vector(), dx_want, tx);
        std::vector<double> dw_plus_one = dw_want;
        for (double& v : dw_plus_one) v += 1;
        require_close(fw.to_vector(), dw_plus_one, tw);
        require_close(fb.to_vector(), db_want, tw);
        Tensor only_x = Tensor::full(x.shape(), NAN), only_b = Tensor::full({k.O}, NAN);
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {&only_x, 0.0f, nullptr, 0.0f, &only_b, 0.0f});
        require_close(only_x.to_vector(), dx_want, tx);
        require_close(only_b.to_vector(), db_want, tw);
        Tensor only_w = Tensor::full(w.shape(), NAN);
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {nullptr, 0.0f, &only_w, 0.0f, nullptr, 0.0f});
        require_close(only_w.to_vector(), dw_want, tw);
    }
}

TEST_CASE("conv2d by hand: a 2×2 difference filter, padding, stride 2", "[conv]") {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]]: y[i][j] = x[i][j] − x[i+1][j+1] = −4, + bias 0.5.
    const Tensor x = Tensor::from_vector({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    const Tensor w = Tensor::from_vector({1, 1, 2, 2}, {1, 0, 0, -1});
    REQUIRE(ops::conv2d(x, w, Tensor::from_vector({1}, {0.5f})).to_vector() == std::vector<float>{-3.5f, -3.5f, -3.5f, -3.5f});

    // A 3×3 box filter with padding 1 sums each 3×3 neighbourhood inside the image.
    const Tensor box = Tensor::ones({1, 1, 3, 3});
    REQUIRE(ops::conv2d(x, box, Tensor(), 1, 1).to_vector() ==
            std::vector<float>{12, 21, 16, 27, 45, 33, 24, 39, 28});
    // Stride 2 keeps the corners of that map: outputs at (0,0), (0,2), (2,0), (2,2).
    REQUIRE(ops::conv2d(x, box, Tensor(), 2, 1).to_vector() == std::vector<float>{12, 16, 24, 28});

    // Two input channels, two filters: filter 0 takes channel 0, filter 1 sums both channels.
    const Tensor x2 = Tensor::from_vector({1, 2, 1, 2}, {1, 2, 10, 20});
    const Tensor w2 = Tensor::from_vector({2, 2, 1, 1}, {1, 0, 1, 1});
    REQUIRE(ops::conv2d(x2, w2, Tensor()).to_vector() == std::vector<float>{1, 2, 11, 22});
}

TEST_CASE("conv2d output sizes of the paper's AlexNets", "[conv]") {
    // CIFAR-100: 32 → conv k3 s2 p1 → 16 → pool 3/2 → 7; Tiny ImageNet: 64 → conv k11 s4 p2 → 15 → pool 3/2 → 7.
    Rng rng(23);
    const Tensor cifar = ops::conv2d(Tensor::normal({1, 3, 32, 32}, 0, 1, rng), Tensor::normal({4, 3, 3, 3}, 0, 1, rng),
                                     Tensor(), 2, 1);
    REQUIRE(cifar.shape() == Shape{1, 4, 16, 16});
    REQUIRE(ops::max_pool2d(cifar, 3, 2).y.shape() == Shape{1, 4, 7, 7});
    const Tensor tiny = ops::conv2d(Tensor::normal({1, 3, 64, 64}, 0, 1, rng),
                                    Tensor::normal({4, 3, 11, 11}, 0, 1, rng), Tensor(), 4, 2);
    REQUIRE(tiny.shape() == Shape{1, 4, 15, 15});
    const Tensor p = ops::max_pool2d(tiny, 3, 2).y;  // 7, then conv k5 p2 keeps 7, pool → 3, pool → 1
    REQUIRE(p.shape() == Shape{1, 4, 7, 7});
    REQUIRE(ops::conv2d(p, Tensor::normal({4, 4, 5, 5}, 0, 1, rng), Tensor(), 1, 2).shape() == Shape{1, 4, 7, 7});
    REQUIRE(ops::max_pool2d(ops::max_pool2d(p, 3, 2).y, 3, 2).y.shape() == Shape{1, 4, 1, 1});
}

TEST_CASE("conv2d backward filter gives the same bits on every run, whatever the scheduling", "[conv]") {
    // Partial sums are kept per chunk (or per thread with a static schedule) and added in order.
    Rng rng(24);
    for (const ConvCase& k : {kCases[0], kCases[1], ConvCase{16, 4, 16, 16, 8, 3, 3, 1, 1}}) {
        INFO(describe(k));
        const Tensor x = Tensor::normal({k.N, k.C, k.H, k.W}, 0, 1, rng);
        const Tensor dy = Tensor::normal({k.N, k.O, k.Ho(), k.Wo()}, 0, 1, rng);
        const Tensor w = Tensor::zeros({k.O, k.C, k.kh, k.kw});  // read only for dx
        Tensor first = Tensor::empty(w.shape()), again = Tensor::empty(w.shape());
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {nullptr, 0.0f, &first, 0.0f, nullptr, 0.0f});
        for (int r = 0; r < 5; ++r) {
            ops::conv2d_backward(x, w, dy, k.stride, k.padding, {nullptr, 0.0f, &again, 0.0f, nullptr, 0.0f});
            REQUIRE(again.to_vector() == first.to_vector());
        }
    }
}

TEST_CASE("with Winograd turned off, the direct 3×3 kernels on the shapes Winograd takes", "[conv]") {
    // cpu::set_conv3x3_winograd(false) is the named way back to the direct sums: check that path still.
    Rng rng(25);
    cpu::set_conv3x3_winograd(false);
    for (const ConvCase& k : kCases) {
        if (k.kh != 3 || k.kw != 3 || k.stride != 1 || k.padding != 1 || k.C % 16 != 0 || k.O % 16 != 0) continue;
        INFO(describe(k));
        const Tensor x = Tensor::normal({k.N, k.C, k.H, k.W}, 0, 1, rng);
        const Tensor w = Tensor::normal({k.O, k.C, k.kh, k.kw}, 0, 1, rng);
        const Tensor b = Tensor::normal({k.O}, 0, 1, rng);
        const Tensor dy = Tensor::normal({k.N, k.O, k.Ho(), k.Wo()}, 0, 1, rng);
        require_close(ops::conv2d(x, w, b, k.stride, k.padding).to_vector(), testing::naive_conv(k, x, w, b),
                      tolerance(k.C * 9));
        std::vector<double> dx_want, dw_want;
        testing::naive_conv_backward(k, x, w, dy, dx_want, dw_want);
        Tensor dx = Tensor::full(x.shape(), NAN);
        ops::conv2d_backward(x, w, dy, k.stride, k.padding, {&dx, 0.0f, nullptr, 0.0f, nullptr, 0.0f});
        require_close(dx.to_vector(), dx_want, tolerance(k.O * 9));
    }
    cpu::set_conv3x3_winograd(true);
}

TEST_CASE("the bias gradient has the same bits with Winograd on and off", "[conv]") {
    // Both methods cut the batch into the same chunks for db's sums: a near-zero bias gradient summed in
    // another order can change sign, and Adam's first steps then move that bias by ±lr either way.
    Rng rng(26);
    for (const auto& [C, O, H] : {std::tuple{16, 32, 14}, {32, 32, 14}, {64, 64, 7}}) {
        INFO(C << " → " << O << " on " << H << "×" << H);
        const Tensor x = Tensor::normal({40, C, H, H}, 0, 1, rng), w = Tensor::normal({O, C, 3, 3}, 0, 1, rng);
        const Tensor dy = Tensor::normal({40, O, H, H}, 0, 1, rng);
        Tensor dw = Tensor::empty(w.shape()), on = Tensor::empty({O}), off = Tensor::empty({O});
        ops::conv2d_backward(x, w, dy, 1, 1, {nullptr, 0.0f, &dw, 0.0f, &on, 0.0f});
        cpu::set_conv3x3_winograd(false);
        ops::conv2d_backward(x, w, dy, 1, 1, {nullptr, 0.0f, &dw, 0.0f, &off, 0.0f});
        cpu::set_conv3x3_winograd(true);
        REQUIRE(on.to_vector() == off.to_vector());
    }
}
