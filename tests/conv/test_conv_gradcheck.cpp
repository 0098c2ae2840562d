// conv2d, max_pool2d and avg_pool2d through the gradient checker (tests/gradcheck.h): non-square
// inputs and kernels, stride 2, padding, 1×1 kernels, no bias, several images per GEMM, and
// overlapping pooling windows (kernel 3 stride 2, as AlexNet uses).
// Max pooling is piecewise linear: its inputs are a shuffled ladder of values 0.05 apart, so a
// perturbation of ε = 0.01 never changes which element wins a window (no ties, no kinks).
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "gradcheck.h"
#include "require_gradcheck.h"

using namespace probenet;
using namespace probenet::autograd;
using probenet::testing::away_from_zero;
using probenet::testing::distinct_values;
using probenet::testing::gradcheck;
using probenet::testing::require_ok;

namespace {

testing::GradFn conv(int stride, int padding, bool bias) {
    return [=](const std::vector<Var>& v) { return conv2d(v[0], v[1], bias ? v[2] : Var(), stride, padding); };
}

}  // namespace

TEST_CASE("gradcheck conv2d: bias, padding 1, non-square input", "[conv][gradcheck]") {
    Rng rng(41);
    require_ok(gradcheck(conv(1, 1, true),
                         {away_from_zero({2, 3, 5, 4}, rng), away_from_zero({4, 3, 3, 3}, rng), away_from_zero({4}, rng)}));
}

TEST_CASE("gradcheck conv2d: stride 2 with padding, odd sizes", "[conv][gradcheck]") {
    Rng rng(42);
    require_ok(gradcheck(conv(2, 1, true),
                         {away_from_zero({2, 2, 7, 6}, rng), away_from_zero({3, 2, 3, 3}, rng), away_from_zero({3}, rng)}));
}

TEST_CASE("gradcheck conv2d: 1×1 kernels, stride 1 and 2", "[conv][gradcheck]") {
    Rng rng(43);
    require_ok(gradcheck(conv(1, 0, true),
                         {away_from_zero({2, 3, 4, 5}, rng), away_from_zero({4, 3, 1, 1}, rng), away_from_zero({4}, rng)}));
    require_ok(gradcheck(conv(2, 0, false), {away_from_zero({2, 3, 5, 4}, rng), away_from_zero({2, 3, 1, 1}, rng)}));
}

TEST_CASE("gradcheck conv2d: no bias, non-square kernel, no padding", "[conv][gradcheck]") {
    Rng rng(44);
    require_ok(gradcheck(conv(1, 0, false), {away_from_zero({1, 2, 5, 6}, rng), away_from_zero({2, 2, 3, 2}, rng)}));
}

TEST_CASE("gradcheck conv2d: several images per GEMM chunk", "[conv][gradcheck]") {
    Rng rng(45);  // 4×4 outputs are narrow, so images are batched side by side in the patch matrix
    require_ok(gradcheck(conv(1, 1, true),
                         {away_from_zero({6, 2, 4, 4}, rng), away_from_zero({2, 2, 3, 3}, rng), away_from_zero({2}, rng)}));
}

TEST_CASE("gradcheck conv2d: the direct 3×3 kernels (8 channels in and out)", "[conv][gradcheck]") {
    Rng rng(49);
    require_ok(gradcheck(conv(1, 1, true),
                         {away_from_zero({2, 8, 5, 4}, rng), away_from_zero({8, 8, 3, 3}, rng), away_from_zero({8}, rng)}));
}

TEST_CASE("gradcheck max_pool2d: 2×2/2, overlapping 3×3/2, padding", "[conv][gradcheck]") {
    Rng rng(46);
    require_ok(gradcheck([](const std::vector<Var>& v) { return max_pool2d(v[0], 2, 2); },
                         {distinct_values({2, 2, 6, 5}, rng)}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return max_pool2d(v[0], 3, 2); },
                         {distinct_values({1, 2, 7, 7}, rng)}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return max_pool2d(v[0], 3, 2, 1); },
                         {distinct_values({2, 1, 6, 5}, rng)}));
}

TEST_CASE("gradcheck avg_pool2d: 2×2/2, overlapping 3×3/2 with padding", "[conv][gradcheck]") {
    Rng rng(47);
    require_ok(gradcheck([](const std::vector<Var>& v) { return avg_pool2d(v[0], 2, 2); },
                         {away_from_zero({2, 2, 6, 5}, rng)}));
    require_ok(gradcheck([](const std::vector<Var>& v) { return avg_pool2d(v[0], 3, 2, 1); },
                         {away_from_zero({1, 2, 7, 6}, rng)}));
}

TEST_CASE("gradcheck a conv → avg-pool → conv chain", "[conv][gradcheck]") {
    Rng rng(48);
    require_ok(gradcheck(
        [](const std::vector<Var>& v) {
            return conv2d(avg_pool2d(conv2d(v[0], v[1], v[2], 2, 1), 3, 2, 1), v[3], Var(), 1, 1);
        },
        {away_from_zero({2, 2, 9, 8}, rng), away_from_zero({3, 2, 3, 3}, rng), away_from_zero({3}, rng),
         away_from_zero({2, 3, 3, 3}, rng)}));
}
