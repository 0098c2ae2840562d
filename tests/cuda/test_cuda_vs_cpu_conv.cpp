// CPU-vs-CUDA equality of the convolution and pooling ops (tensor/conv_ops.h → Backend): cuDNN's
// conv2d forward, backward-data, backward-filter and backward-bias against the CPU's im2col + sgemm,
// and the backend's own pooling kernels against the CPU loops, with β = 0 over NaN, β = 1 and
// β = −0.5, on the paper's CNN layer shapes and on odd, strided, padded ones.
// Tolerances and the skip rule: tests/cuda/cuda_compare.h.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "cuda_compare.h"
#include "tensor/conv_ops.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::testing;

namespace {

struct ConvCase {
    Shape x, w;
    int stride, padding;
};

// The paper's CNN (first and last conv at batch 128: 1→16 on 28×28, 64→64 on 7×7), AlexNet-like
// strides, a 1×1 convolution, non-square kernels and images.
const std::vector<ConvCase> kConvCases = {
    {{128, 1, 28, 28}, {16, 1, 3, 3}, 1, 1}, {{16, 64, 7, 7}, {64, 64, 3, 3}, 1, 1},
    {{2, 3, 31, 29}, {8, 3, 11, 11}, 4, 2},  {{3, 5, 6, 6}, {7, 5, 1, 1}, 1, 0},
    {{2, 4, 9, 7}, {3, 4, 3, 2}, 2, 1},      {{1, 2, 5, 5}, {2, 2, 5, 5}, 1, 0},
};

Tensor start_for(const Shape& shape, float beta) {
    return beta == 0.0f ? Tensor::full(shape, kNaN) : pattern(shape, 90);
}

// An accumulating op `op(inputs, beta, out)` on both devices from one start value, compared within
// rtol of its summed magnitudes: the same op on |inputs| into zeros, plus |β·start| (cuda_compare.h).
template <typename Op>
void require_same_accumulation(const Shape& out_shape, const std::vector<Tensor>& inputs, float beta, double rtol,
                               Op op) {
    const Tensor start = start_for(out_shape, beta);
    std::vector<Tensor> abs_in, gpu_in;
    for (const Tensor& t : inputs) abs_in.push_back(abs_copy(t)), gpu_in.push_back(gpu(t));
    Tensor scale = Tensor::zeros(out_shape), cpu = start.clone(), cuda = gpu(start);
    op(abs_in, 0.0f, scale);
    op(inputs, beta, cpu);
    op(gpu_in, beta, cuda);
    std::vector<float> bound = scale.to_vector();
    const std::vector<float> s = start.to_vector();
    for (size_t i = 0; i < bound.size(); ++i) bound[i] += beta == 0.0f ? 0.0f : std::fabs(beta * s[i]);
    require_close(cuda.to_vector(), cpu.to_vector(), rtol, 1e-6, &bound);
}

}  // namespace

TEST_CASE("cuda vs cpu: conv2d forward and each backward gradient (cuDNN vs im2col)", "[cuda][conv]") {
    REQUIRE_CUDA_OR_SKIP();
    Rng rng(80);
    for (const ConvCase& c : kConvCases) {
        INFO("x " << shape_str(c.x) << " w " << shape_str(c.w) << " stride " << c.stride << " padding " << c.padding);
        const Tensor x = Tensor::normal(c.x, 0, 1, rng), w = Tensor::normal(c.w, 0, 1, rng);
        const Tensor bias = Tensor::normal({c.w[0]}, 0, 1, rng);
        const Tensor y = ops::conv2d(x, w, bias, c.stride, c.padding);
        const Tensor yd = ops::conv2d(gpu(x), gpu(w), gpu(bias), c.stride, c.padding);
        std::vector<float> scale = ops::conv2d(abs_copy(x), abs_copy(w), abs_copy(bias), c.stride, c.padding).to_vector();
        require_close(yd.to_vector(), y.to_vector(), 1e-4, 1e-6, &scale);
        require_close(ops::conv2d(gpu(x), gpu(w), Tensor(), c.stride, c.padding).to_vector(),
                      ops::conv2d(x, w, Tensor(), c.stride, c.padding).to_vector(), 1e-4, 1e-6, &scale);

        const Tensor dy = Tensor::normal(y.shape(), 0, 1, rng);
        const int st = c.stride, pad = c.padding;
        for (float beta : {0.0f, 1.0f, -0.5f}) {
            INFO("beta " << beta);
            // Each gradient alone through the one backward op, inputs {x, w, dy}.
            require_same_accumulation(c.x, {x, w, dy}, beta, 1e-4, [&](const std::vector<Tensor>& in, float b, Tensor& out) {
                ops::conv2d_backward(in[0], in[1], in[2], st, pad, {&out, b, nullptr, 0.0f, nullptr, 0.0f});
            });
            require_same_accumulation(c.w, {x, w, dy}, beta, 1e-4, [&](const std::vector<Tensor>& in, float b, Tensor& out) {
                ops::conv2d_backward(in[0], in[1], in[2], st, pad, {nullptr, 0.0f, &out, b, nullptr, 0.0f});
            });
            require_same_accumulation({c.w[0]}, {x, w, dy}, beta, 1e-5, [&](const std::vector<Tensor>& in, float b, Tensor& out) {
                ops::conv2d_backward(in[0], in[1], in[2], st, pad, {nullptr, 0.0f, nullptr, 0.0f, &out, b});
            });
        }
    }
}

TEST_CASE("cuda vs cpu: conv2d_relu, the backend's default on the GPU against the CPU's folded kernels",
          "[cuda][conv][fusion]") {
    REQUIRE_CUDA_OR_SKIP();
    Rng rng(81);
    for (const ConvCase& c : kConvCases) {
        INFO("x " << shape_str(c.x) << " w " << shape_str(c.w) << " stride " << c.stride << " padding " << c.padding);
        const Tensor x = Tensor::normal(c.x, 0, 1, rng), w = Tensor::normal(c.w, 0, 1, rng);
        const Tensor bias = Tensor::normal({c.w[0]}, 0, 1, rng);
        const Tensor y = ops::conv2d_relu(x, w, bias, c.stride, c.padding);
        std::vector<float> scale = ops::conv2d(abs_copy(x), abs_copy(w), abs_copy(bias), c.stride, c.padding).to_vector();
        require_close(ops::conv2d_relu(gpu(x), gpu(w), gpu(bias), c.stride, c.padding).to_vector(), y.to_vector(), 1e-4,
                      1e-6, &scale);
        // Both backwards mask with the CPU's y, so the masks agree exactly and only rounding differs.
        const Tensor dy = Tensor::normal(y.shape(), 0, 1, rng);
        Tensor masked = Tensor::zeros(y.shape());
        ops::relu_backward(y, dy, 0.0f, masked);
        Tensor dx = Tensor::zeros(c.x), dw = Tensor::zeros(c.w), db = Tensor::zeros({c.w[0]});
        Tensor dxd = gpu(dx), dwd = gpu(dw), dbd = gpu(db);
        ops::conv2d_relu_backward(x, w, y, dy, c.stride, c.padding, {&dx, 0.0f, &dw, 0.0f, &db, 0.0f});
        ops::conv2d_relu_backward(gpu(x), gpu(w), gpu(y), gpu(dy), c.stride, c.padding,
                                  {&dxd, 0.0f, &dwd, 0.0f, &dbd, 0.0f});
        Tensor sx = Tensor::zeros(c.x), sw = Tensor::zeros(c.w), sb = Tensor::zeros({c.w[0]});
        ops::conv2d_backward(abs_copy(x), abs_copy(w), abs_copy(masked), c.stride, c.padding,
                             {&sx, 0.0f, &sw, 0.0f, &sb, 0.0f});
        std::vector<float> bx = sx.to_vector(), bw = sw.to_vector(), bb = sb.to_vector();
        require_close(dxd.to_vector(), dx.to_vector(), 1e-4, 1e-6, &bx);
        require_close(dwd.to_vector(), dw.to_vector(), 1e-4, 1e-6, &bw);
        require_close(dbd.to_vector(), db.to_vector(), 1e-5, 1e-6, &bb);
    }
}

TEST_CASE("cuda vs cpu: max and avg pooling, forward and backward, ties and NaN, bit for bit", "[cuda][conv]") {
    REQUIRE_CUDA_OR_SKIP();
    struct PoolCase {
        Shape x;
        int kernel, stride, padding;
    };
    // 2×2/2 (the paper's CNN, at batch 128), 3×3/2 overlapping (AlexNet), padding, floor-mode leftovers.
    for (const PoolCase& c : {PoolCase{{128, 16, 28, 28}, 2, 2, 0}, PoolCase{{2, 3, 15, 15}, 3, 2, 0},
                              PoolCase{{2, 2, 6, 5}, 3, 2, 1}, PoolCase{{1, 2, 5, 7}, 3, 1, 1},
                              PoolCase{{3, 1, 4, 6}, 4, 3, 2}, PoolCase{{2, 2, 7, 9}, 2, 2, 0}}) {
        INFO("x " << shape_str(c.x) << " kernel " << c.kernel << " stride " << c.stride << " padding " << c.padding);
        // pattern() repeats values on a 1e-3 grid, so windows hold exact ties; one NaN in the first plane.
        Tensor x = pattern(c.x, 91);
        x.data()[c.x[3] + 1] = kNaN;
        const ops::MaxPool2dResult m = ops::max_pool2d(x, c.kernel, c.stride, c.padding);
        const ops::MaxPool2dResult md = ops::max_pool2d(gpu(x), c.kernel, c.stride, c.padding);
        require_exact(md.y, m.y);
        require_exact(md.argmax, m.argmax);
        require_exact(ops::avg_pool2d(gpu(x), c.kernel, c.stride, c.padding), ops::avg_pool2d(x, c.kernel, c.stride, c.padding));

        const Tensor dy = pattern(m.y.shape(), 92);
        for (float beta : {0.0f, 1.0f, -0.5f}) {
            INFO("beta " << beta);
            Tensor dx = start_for(c.x, beta), dxd = gpu(dx);
            ops::max_pool2d_backward(dy, m.argmax, c.kernel, c.stride, c.padding, beta, dx);
            ops::max_pool2d_backward(gpu(dy), md.argmax, c.kernel, c.stride, c.padding, beta, dxd);
            require_exact(dxd, dx);
            dx = start_for(c.x, beta), dxd = gpu(dx);
            ops::avg_pool2d_backward(dy, c.kernel, c.stride, c.padding, beta, dx);
            ops::avg_pool2d_backward(gpu(dy), c.kernel, c.stride, c.padding, beta, dxd);
            require_close(dxd, dx, 1e-6, 1e-7);
        }
    }
}
