// Max and average pooling ops against the naive loops of conv_reference.h, by hand, and the
// deterministic choice among exactly tied maxima (checked on the argmax indices themselves).
#include <catch2/catch.hpp>

#include <cmath>

#include "conv_reference.h"
#include "tensor/conv_ops.h"
#include "tensor/random.h"

using namespace probenet;

namespace {
struct PoolCase {
    Shape x;
    int kernel, stride, padding;
};
// 2×2/2 as the paper's CNN (rows of more than 16 outputs too), 3×3/2 overlapping as AlexNet,
// padding, odd sizes that floor mode cuts.
const std::vector<PoolCase> kCases = {
    {{2, 3, 8, 8}, 2, 2, 0}, {{2, 2, 7, 9}, 2, 2, 0}, {{1, 2, 5, 42}, 2, 2, 0}, {{1, 3, 15, 15}, 3, 2, 0},
    {{2, 2, 6, 5}, 3, 2, 1}, {{1, 2, 5, 7}, 3, 1, 1}, {{3, 1, 4, 6}, 4, 3, 2},
};
}  // namespace

TEST_CASE("pooling forward and backward match direct loops", "[conv]") {
    Rng rng(31);
    for (const PoolCase& c : kCases) {
        INFO("x " << shape_str(c.x) << " kernel " << c.kernel << " stride " << c.stride << " padding " << c.padding);
        const Tensor x = Tensor::normal(c.x, 0, 1, rng);
        std::vector<int64_t> index;
        const std::vector<double> max_want = testing::naive_pool(x, c.kernel, c.stride, c.padding, true, &index);
        const std::vector<double> avg_want = testing::naive_pool(x, c.kernel, c.stride, c.padding, false);

        const ops::MaxPool2dResult m = ops::max_pool2d(x, c.kernel, c.stride, c.padding);
        const std::vector<float> y = m.y.to_vector(), a = m.argmax.to_vector(), avg = ops::avg_pool2d(x, c.kernel, c.stride, c.padding).to_vector();
        REQUIRE(y.size() == max_want.size());
        for (size_t i = 0; i < y.size(); ++i) {
            REQUIRE(y[i] == float(max_want[i]));
            REQUIRE(a[i] == float(index[i]));
            REQUIRE(avg[i] == Approx(avg_want[i]).margin(1e-5));
        }

        // Backward: max routes dy to the argmax, average spreads dy/k² over the window; both add to dx.
        const Tensor dy = Tensor::normal(m.y.shape(), 0, 1, rng);
        const int64_t H = c.x[2], W = c.x[3], plane_out = m.y.dim(2) * m.y.dim(3);
        std::vector<double> dmax(static_cast<size_t>(x.numel()), 1.0), davg(static_cast<size_t>(x.numel()), 1.0);
        const std::vector<float> g = dy.to_vector();
        for (size_t o = 0; o < g.size(); ++o) {
            const int64_t plane = static_cast<int64_t>(o) / plane_out, oh = (int64_t(o) % plane_out) / m.y.dim(3),
                          ow = int64_t(o) % m.y.dim(3);
            dmax[static_cast<size_t>(plane * H * W + index[o])] += g[o];
            for (int i = 0; i < c.kernel; ++i)
                for (int j = 0; j < c.kernel; ++j) {
                    const int64_t h = oh * c.stride - c.padding + i, w = ow * c.stride - c.padding + j;
                    if (h >= 0 && h < H && w >= 0 && w < W)
                        davg[static_cast<size_t>(plane * H * W + h * W + w)] += g[o] / double(c.kernel * c.kernel);
                }
        }
        Tensor dx_max = Tensor::ones(c.x), dx_avg = Tensor::ones(c.x);  // beta = 1: added onto ones
        ops::max_pool2d_backward(dy, m.argmax, c.kernel, c.stride, c.padding, 1.0f, dx_max);
        ops::avg_pool2d_backward(dy, c.kernel, c.stride, c.padding, 1.0f, dx_avg);
        const std::vector<float> gm = dx_max.to_vector(), ga = dx_avg.to_vector();
        for (size_t i = 0; i < gm.size(); ++i) {
            REQUIRE(gm[i] == Approx(dmax[i]).margin(1e-5));
            REQUIRE(ga[i] == Approx(davg[i]).margin(1e-5));
        }
        Tensor fresh = Tensor::full(c.x, NAN);  // beta = 0 overwrites, NaN included
        ops::max_pool2d_backward(dy, m.argmax, c.kernel, c.stride, c.padding, 0.0f, fresh);
        const std::vector<float> gf = fresh.to_vector();
        for (size_t i = 0; i < gf.size(); ++i) REQUIRE(gf[i] == Approx(dmax[i] - 1.0).margin(1e-5));
    }
}

TEST_CASE("pooling by hand, padding counted by the average and never chosen by the max", "[conv]") {
    // x = [[1,2],[3,4]] (negated for the max case): kernel 2, stride 1, padding 1 → a 3×3 output.
    const Tensor x = Tensor::from_vector({1, 1, 2, 2}, {1, 2, 3, 4});
    REQUIRE(ops::avg_pool2d(x, 2, 1, 1).to_vector() ==
            std::vector<float>{0.25f, 0.75f, 0.5f, 1.0f, 2.5f, 1.5f, 0.75f, 1.75f, 1.0f});
    const Tensor neg = Tensor::from_vector({1, 1, 2, 2}, {-1, -2, -3, -4});
    const ops::MaxPool2dResult m = ops::max_pool2d(neg, 2, 1, 1);
    REQUIRE(m.y.to_vector() == std::vector<float>{-1, -1, -2, -1, -1, -2, -3, -3, -4});
    REQUIRE(m.argmax.to_vector() == std::vector<float>{0, 0, 1, 0, 0, 1, 2, 2, 3});
    // 2×2/2 on a 4×4 plane: the maxima of the four quadrants.
    const Tensor q = Tensor::from_vector({1, 1, 4, 4}, {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 9, 2, 1, 7});
    REQUIRE(ops::max_pool2d(q, 2, 2).y.to_vector() == std::vector<float>{5, 8, 9, 7});
    REQUIRE(ops::avg_pool2d(q, 2, 2).to_vector() == std::vector<float>{3.25f, 2.75f, 2.75f, 2.5f});
}

TEST_CASE("max pooling ties go to the first element in row-major window order", "[conv]") {
    // Every window of a constant plane is one big tie: each output must pick its window's top-left,
    // in the 2×2/2 kernel (all 16 lanes of a vector tied) as in the general one.
    const Tensor zeros = Tensor::zeros({1, 1, 4, 36});
    const std::vector<float> corners = ops::max_pool2d(zeros, 2, 2).argmax.to_vector();
    for (size_t k = 0; k < corners.size(); ++k) REQUIRE(corners[k] == float((k / 18) * 72 + (k % 18) * 2));
    // Two equal maxima in one 2×2 window: the first in row-major order, (0,1) before (1,0) and (1,1).
    const Tensor pair = Tensor::from_vector({1, 1, 2, 2}, {1, 5, 5, 5});
    REQUIRE(ops::max_pool2d(pair, 2, 2).argmax.item() == 1.0f);
    const Tensor flat = Tensor::full({1, 1, 5, 5}, 0.5f);
    const ops::MaxPool2dResult overlap = ops::max_pool2d(flat, 3, 2);  // windows at rows/cols 0 and 2
    REQUIRE(overlap.argmax.to_vector() == std::vector<float>{0, 2, 10, 12});
    // Ties inside one window: in the left window the 7 at index 1 beats the 7 at index 3, in the right
    // one it beats the 7 at index 5.
    const Tensor x = Tensor::from_vector({1, 1, 2, 3}, {0, 7, 1, 7, 2, 7});
    const ops::MaxPool2dResult m = ops::max_pool2d(x, 2, 1);
    REQUIRE(m.y.to_vector() == std::vector<float>{7, 7});
    REQUIRE(m.argmax.to_vector() == std::vector<float>{1, 1});
    // With padding, a window of tied values never picks a padding position: only real elements count.
    const ops::MaxPool2dResult p = ops::max_pool2d(Tensor::full({1, 1, 2, 2}, -3.0f), 2, 2, 1);
    REQUIRE(p.argmax.to_vector() == std::vector<float>{0, 1, 2, 3});
    // The backward sends the whole gradient to the chosen element only.
    Tensor dx = Tensor::zeros({1, 1, 2, 3});
    ops::max_pool2d_backward(Tensor::from_vector({1, 1, 1, 2}, {1, 10}), m.argmax, 2, 1, 0, 0.0f, dx);
    REQUIRE(dx.to_vector() == std::vector<float>{0, 11, 0, 0, 0, 0});
    // Repeating the forward gives the same choice (no scheduling dependence).
    for (int r = 0; r < 3; ++r) REQUIRE(ops::max_pool2d(flat, 3, 2).argmax.to_vector() == overlap.argmax.to_vector());
}

TEST_CASE("max pooling propagates NaN instead of hiding it", "[conv]") {
    const Tensor x = Tensor::from_vector({1, 1, 2, 2}, {1, NAN, 3, 2});
    const ops::MaxPool2dResult m = ops::max_pool2d(x, 2, 2);
    REQUIRE(std::isnan(m.y.item()));
    REQUIRE(m.argmax.item() == 1.0f);
}
