// The convolution with its ReLU folded in (ops::conv2d_relu, ops::conv2d_relu_backward; the CPU's
// tensor/cpu/cpu_conv3x3.cpp and cpu_conv.cpp) against the two steps it replaces, bit for bit:
//   forward   conv2d_relu(x, w, b)            == relu(conv2d(x, w, b))
//   backward  conv2d_relu_backward(.., y, dy) == conv2d_backward(.., relu_backward(y, dy))
// on every kernel path (3×3 by Winograd — paired tile rows, wide rows — and, with it turned off, by the
// direct kernels positions- and channels-major; im2col with one and with several images per GEMM, 1×1,
// stride 2), with and without bias, for every non-empty set of wanted gradients, overwriting (beta 0)
// and accumulating into random gradients (beta 1), on 1 and 2 threads.
// The Backend's default implementation (what the CUDA backend runs) is checked the same way on the CPU.
// The same for the convolution, ReLU and max pool as one (ops::conv2d_relu_maxpool): y and argmax, and
// every gradient, against max_pool2d, relu and conv2d and their backwards one by one, with pools 2×2/2
// (pooled from Winograd's tiles in registers), overlapping 3×3/2 and padded, on planes the pool does
// not tile, with Winograd on and off.
// Then a gradient check of autograd::conv2d_relu, and a broken (unmasked) backward that must fail it.
#include <catch2/catch.hpp>
#include <omp.h>

#include <vector>

#include "autograd/functions.h"
#include "gradcheck.h"
#include "require_gradcheck.h"
#include "tensor/backend.h"
#include "tensor/conv_geometry.h"
#include "tensor/conv_ops.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "tensor/ops.h"
#include "tensor/runtime.h"

using namespace probenet;
using probenet::testing::away_from_zero;
using probenet::testing::gradcheck;
using probenet::testing::require_ok;

namespace {

struct Case {
    const char* path;
    Shape x, w;
    int stride, padding;
};

// One shape per kernel path of the CPU convolution (tensor/cpu/cpu_conv.cpp routes them).
const Case kCases[] = {
    {"3×3, 16 → 16 on 28×28 (Winograd, wide rows; direct: positions-major)", {3, 16, 28, 28}, {16, 16, 3, 3}, 1, 1},
    {"3×3, 32 → 64 on 7×7 (Winograd, paired rows; direct: channels-major)", {5, 32, 7, 7}, {64, 32, 3, 3}, 1, 1},
    {"3×3 ragged channels", {2, 8, 5, 6}, {12, 8, 3, 3}, 1, 1},
    {"3×3 Winograd, odd plane (two tile rows per vector)", {3, 48, 13, 11}, {32, 48, 3, 3}, 1, 1},
    {"3×3 Winograd, wide plane (8 tiles of a row per vector)", {2, 32, 5, 37}, {32, 32, 3, 3}, 1, 1},
    {"im2col, one image per GEMM", {3, 1, 28, 28}, {16, 1, 3, 3}, 1, 1},
    {"im2col, several images per GEMM", {7, 3, 6, 5}, {4, 3, 3, 3}, 1, 1},
    {"1×1", {3, 6, 5, 4}, {5, 6, 1, 1}, 1, 0},
    {"stride 2", {3, 4, 9, 8}, {6, 4, 3, 3}, 2, 1},
};

struct Grads {
    Tensor dx, dw, db;
};

// Gradient tensors: zeros for beta 0 (never read), seeded random values for beta 1.
Grads start_grads(const Case& c, bool accumulate) {
    Rng rng(7);
    auto make = [&](const Shape& s) { return accumulate ? Tensor::uniform(s, -1.0f, 1.0f, rng) : Tensor::zeros(s); };
    return {make(c.x), make(c.w), make({c.w[0]})};
}

ops::Conv2dGrads wanted(Grads& g, int mask, float beta) {
    ops::Conv2dGrads out;
    if (mask & 1) out.dx = &g.dx, out.beta_dx = beta;
    if (mask & 2) out.dw = &g.dw, out.beta_dw = beta;
    if (mask & 4) out.db = &g.db, out.beta_db = beta;
    return out;
}

void require_equal(const Tensor& a, const Tensor& b) { REQUIRE(a.to_vector() == b.to_vector()); }

// For every non-empty set of wanted gradients, overwriting (beta 0) and accumulating (beta 1): the fused
// backward and the chain of steps, each given where to write, produce the same bits.
template <typename Fused, typename Steps>
void require_same_gradients(const Case& c, Fused&& fused_backward, Steps&& steps_backward) {
    for (int mask = 1; mask < 8; ++mask)
        for (const bool accumulate : {false, true}) {
            INFO("gradients " << mask << (accumulate ? ", beta 1" : ", beta 0"));
            const float beta = accumulate ? 1.0f : 0.0f;
            Grads fused = start_grads(c, accumulate), steps = start_grads(c, accumulate);
            fused_backward(wanted(fused, mask, beta));
            steps_backward(wanted(steps, mask, beta));
            require_equal(fused.dx, steps.dx);
            require_equal(fused.dw, steps.dw);
            require_equal(fused.db, steps.db);
        }
}

// body(bias) for each setting: Winograd on and off, with and without bias, on 1 and 2 threads; the
// process-wide settings are restored afterwards.
template <typename Body>
void for_each_setting(const char* path, Body&& body) {
    const int threads_before = omp_get_max_threads();
    for (const bool winograd : {true, false})
        for (const bool bias : {true, false})
            for (const int threads : {1, 2}) {
                set_threads(threads);
                cpu::set_conv3x3_winograd(winograd);
                INFO(path << (winograd ? "" : ", Winograd off") << (bias ? ", bias" : ", no bias") << ", threads "
                          << threads);
                body(bias);
            }
    set_threads(threads_before);
    cpu::set_conv3x3_winograd(true);
}

}  // namespace

TEST_CASE("conv2d_relu equals relu(conv2d) forward and backward, bit for bit, on every kernel path",
          "[conv][fusion]") {
    for (const Case& c : kCases)
        for_each_setting(c.path, [&](bool bias) {
            Rng rng(11);
            const Tensor x = Tensor::uniform(c.x, -1.0f, 1.0f, rng), w = Tensor::uniform(c.w, -0.5f, 0.5f, rng);
            const Tensor b = bias ? Tensor::uniform({c.w[0]}, -0.3f, 0.3f, rng) : Tensor();
            const Tensor y = ops::conv2d_relu(x, w, b, c.stride, c.padding);
            require_equal(y, ops::relu(ops::conv2d(x, w, b, c.stride, c.padding)));
            const Tensor dy = Tensor::normal(y.shape(), 0.0f, 1.0f, rng);
            Tensor masked = Tensor::zeros(y.shape());
            ops::relu_backward(y, dy, 0.0f, masked);
            require_same_gradients(
                c, [&](const ops::Conv2dGrads& to) { ops::conv2d_relu_backward(x, w, y, dy, c.stride, c.padding, to); },
                [&](const ops::Conv2dGrads& to) { ops::conv2d_backward(x, w, masked, c.stride, c.padding, to); });
        });
}

TEST_CASE("Backend's default conv2d_relu (the CUDA backend's) equals the two steps on the CPU", "[conv][fusion]") {
    Backend& cpu = backend_for(Device::CPU);
    for (const Case& c : kCases) {
        INFO(c.path);
        Rng rng(12);
        const Tensor x = Tensor::uniform(c.x, -1.0f, 1.0f, rng), w = Tensor::uniform(c.w, -0.5f, 0.5f, rng);
        const Tensor b = Tensor::uniform({c.w[0]}, -0.3f, 0.3f, rng);
        const Conv2dGeometry g = Conv2dGeometry::make("test", c.x, c.w, c.stride, c.padding);
        Tensor y = Tensor::empty(g.output_shape());
        cpu.Backend::conv2d_relu_forward(g, x.data(), w.data(), b.data(), y.data());
        require_equal(y, ops::conv2d_relu(x, w, b, c.stride, c.padding));
        const Tensor dy = Tensor::normal(y.shape(), 0.0f, 1.0f, rng);
        Grads base = start_grads(c, true), fused = start_grads(c, true);
        cpu.Backend::conv2d_relu_backward(g, x.data(), w.data(), y.data(), dy.data(), 1.0f, base.dx.data(), 1.0f,
                                          base.dw.data(), 1.0f, base.db.data());
        ops::conv2d_relu_backward(x, w, y, dy, c.stride, c.padding, wanted(fused, 7, 1.0f));
        require_equal(base.dx, fused.dx);
        require_equal(base.dw, fused.dw);
        require_equal(base.db, fused.db);
    }
}

namespace {

struct PoolCase {
    const char* path;
    Shape x, w;
    int kernel, stride, padding;
};

const PoolCase kPoolCases[] = {
    {"3×3, 16 channels on 28×28, 2×2 pool", {3, 16, 28, 28}, {16, 16, 3, 3}, 2, 2, 0},
    {"3×3 Winograd, 2×2 pool of a 7×7 plane", {5, 64, 7, 7}, {64, 64, 3, 3}, 2, 2, 0},
    {"3×3 Winograd, 2×2 pool of a 14×14 plane", {3, 32, 14, 14}, {32, 32, 3, 3}, 2, 2, 0},
    {"3×3 Winograd, 2×2 pool of odd and wide planes", {2, 32, 13, 37}, {48, 32, 3, 3}, 2, 2, 0},
    {"3×3 Winograd, overlapping 3×3/2 pool (not by tiles)", {2, 32, 9, 10}, {32, 32, 3, 3}, 3, 2, 0},
    {"3×3 direct, overlapping 3×3/2 pool", {2, 8, 9, 6}, {12, 8, 3, 3}, 3, 2, 0},
    {"3×3 direct, padded 2×2 pool", {2, 8, 5, 6}, {8, 8, 3, 3}, 2, 2, 1},
    {"im2col, 2×2 pool (the backend's default)", {3, 1, 28, 28}, {16, 1, 3, 3}, 2, 2, 0},
};

}  // namespace

TEST_CASE("conv2d_relu_maxpool equals max_pool2d(relu(conv2d)) forward and backward, bit for bit",
          "[conv][fusion]") {
    for (const PoolCase& c : kPoolCases)
        for_each_setting(c.path, [&](bool bias) {
            Rng rng(13);
            const Tensor x = Tensor::uniform(c.x, -1.0f, 1.0f, rng), w = Tensor::uniform(c.w, -0.5f, 0.5f, rng);
            const Tensor b = bias ? Tensor::uniform({c.w[0]}, -0.3f, 0.3f, rng) : Tensor();
            const ops::MaxPool2dResult fused = ops::conv2d_relu_maxpool(x, w, b, 1, 1, c.kernel, c.stride, c.padding);
            const Tensor conv = ops::relu(ops::conv2d(x, w, b, 1, 1));
            const ops::MaxPool2dResult steps = ops::max_pool2d(conv, c.kernel, c.stride, c.padding);
            require_equal(fused.y, steps.y);
            require_equal(fused.argmax, steps.argmax);
            const Tensor dy = Tensor::normal(fused.y.shape(), 0.0f, 1.0f, rng);
            Tensor unpooled = Tensor::zeros(conv.shape()), masked = Tensor::zeros(conv.shape());
            ops::max_pool2d_backward(dy, steps.argmax, c.kernel, c.stride, c.padding, 0.0f, unpooled);
            ops::relu_backward(conv, unpooled, 0.0f, masked);
            const Case geometry{c.path, c.x, c.w, 1, 1};
            require_same_gradients(
                geometry,
                [&](const ops::Conv2dGrads& to) {
                    ops::conv2d_relu_maxpool_backward(x, w, fused, dy, 1, 1, c.kernel, c.stride, c.padding, to);
                },
                [&](const ops::Conv2dGrads& to) { ops::conv2d_backward(x, w, masked, 1, 1, to); });
        });
}

TEST_CASE("Backend's default conv2d_relu_maxpool (the CUDA backend's) equals the CPU's fused one", "[conv][fusion]") {
    Backend& cpu = backend_for(Device::CPU);
    for (const PoolCase& c : kPoolCases) {
        INFO(c.path);
        Rng rng(14);
        const Tensor x = Tensor::uniform(c.x, -1.0f, 1.0f, rng), w = Tensor::uniform(c.w, -0.5f, 0.5f, rng);
        const Tensor b = Tensor::uniform({c.w[0]}, -0.3f, 0.3f, rng);
        const ops::MaxPool2dResult fused = ops::conv2d_relu_maxpool(x, w, b, 1, 1, c.kernel, c.stride, c.padding);
        const Conv2dGeometry g = Conv2dGeometry::make("test", c.x, c.w, 1, 1);
        const Pool2dGeometry pg = Pool2dGeometry::make("test", g.output_shape(), c.kernel, c.stride, c.padding);
        Tensor y = Tensor::empty(pg.output_shape()), argmax = Tensor::empty(pg.output_shape());
        cpu.Backend::conv2d_relu_maxpool_forward(g, pg, x.data(), w.data(), b.data(), y.data(), argmax.data());
        require_equal(y, fused.y);
        require_equal(argmax, fused.argmax);
        const Tensor dy = Tensor::normal(y.shape(), 0.0f, 1.0f, rng);
        const Case geometry{c.path, c.x, c.w, 1, 1};
        Grads base = start_grads(geometry, true), mine = start_grads(geometry, true);
        cpu.Backend::conv2d_relu_maxpool_backward(g, pg, x.data(), w.data(), y.data(), argmax.data(), dy.data(), 1.0f,
                                                  base.dx.data(), 1.0f, base.dw.data(), 1.0f, base.db.data());
        ops::conv2d_relu_maxpool_backward(x, w, fused, dy, 1, 1, c.kernel, c.stride, c.padding, wanted(mine, 7, 1.0f));
        require_equal(base.dx, mine.dx);
        require_equal(base.dw, mine.dw);
        require_equal(base.db, mine.db);
    }
}

TEST_CASE("conv2d_relu_backward names a mismatched y", "[conv][fusion]") {
    const Tensor x = Tensor::zeros({2, 3, 5, 5}), w = Tensor::zeros({4, 3, 3, 3});
    const Tensor dy = Tensor::zeros({2, 4, 5, 5}), wrong_y = Tensor::zeros({2, 4, 5, 4});
    Tensor dw = Tensor::zeros(w.shape());
    REQUIRE_THROWS_WITH(ops::conv2d_relu_backward(x, w, wrong_y, dy, 1, 1, {nullptr, 0.0f, &dw, 0.0f, nullptr, 0.0f}),
                        Catch::Contains("conv2d_relu_backward") && Catch::Contains("y has shape (2, 4, 5, 4)"));
}

namespace {

// Inputs whose pre-activations w ⋆ x + b all lie ≥ 0.05 from the ReLU's kink, so a perturbation of
// ε = 0.01 in any one input (which moves an output by at most 0.01) never crosses it: the first seed
// from `seed` whose draw qualifies.
std::vector<Tensor> away_from_kink(const Shape& xs, const Shape& ws, int padding, uint64_t seed) {
    for (uint64_t s = seed; s < seed + 1000; ++s) {
        Rng rng(s);
        std::vector<Tensor> in = {away_from_zero(xs, rng), away_from_zero(ws, rng), away_from_zero({ws[0]}, rng)};
        const std::vector<float> pre = ops::conv2d(in[0], in[1], in[2], 1, padding).to_vector();
        bool clear = true;
        for (float v : pre) clear = clear && (v > 0.05f || v < -0.05f);
        if (clear) return in;
    }
    FAIL("no seed gives pre-activations away from the kink");
    return {};
}

}  // namespace

TEST_CASE("gradcheck conv2d_relu: the direct 3×3 kernels and im2col", "[conv][fusion][gradcheck]") {
    for (const auto& [xs, ws] : {std::pair<Shape, Shape>{{2, 8, 5, 4}, {8, 8, 3, 3}},
                                 std::pair<Shape, Shape>{{2, 2, 5, 4}, {3, 2, 3, 3}}}) {
        const std::vector<Tensor> in = away_from_kink(xs, ws, 1, 61);
        require_ok(gradcheck([](const std::vector<autograd::Var>& v) { return autograd::conv2d_relu(v[0], v[1], v[2], 1, 1); },
                             in));
    }
}

namespace {

// conv2d_relu's forward with a backward that forgets the mask: conv2d's backward of the raw dy.
struct UnmaskedConvReluNode final : autograd::Node {
    Tensor x, w;
    const char* name() const override { return "unmasked_conv2d_relu"; }
    void backward(const Tensor& g) override {
        autograd::GradSlot sx = autograd::grad_slot(*inputs[0]), sw = autograd::grad_slot(*inputs[1]),
                           sb = autograd::grad_slot(*inputs[2]);
        ops::conv2d_backward(x, w, g, 1, 1, {&sx.grad, sx.beta, &sw.grad, sw.beta, &sb.grad, sb.beta});
    }
};

}  // namespace

TEST_CASE("gradcheck fails on a conv2d_relu backward without the ReLU's mask", "[conv][fusion][mutation]") {
    const std::vector<Tensor> in = away_from_kink({2, 8, 5, 4}, {8, 8, 3, 3}, 1, 61);
    auto r = gradcheck(
        [](const std::vector<autograd::Var>& v) {
            auto node = std::make_shared<UnmaskedConvReluNode>();
            node->x = v[0].value(), node->w = v[1].value();
            return autograd::make_result(ops::conv2d_relu(v[0].value(), v[1].value(), v[2].value(), 1, 1), node,
                                         {v[0], v[1], v[2]});
        },
        in);
    REQUIRE_FALSE(r.ok);
}
