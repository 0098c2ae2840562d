// Shape errors of convolution and pooling: each names the op, the offending shapes and a remedy.
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "tensor/conv_ops.h"
#include "tensor/error.h"

using namespace probenet;
using Catch::Contains;

TEST_CASE("conv2d rejects mismatched shapes with messages naming them", "[conv][errors]") {
    const Tensor x = Tensor::zeros({2, 3, 8, 8});
    REQUIRE_THROWS_WITH(ops::conv2d(x, Tensor::zeros({4, 2, 3, 3}), Tensor()),
                        Contains("conv2d") && Contains("(2, 3, 8, 8) has 3 channels") && Contains("(4, 2, 3, 3)"));
    REQUIRE_THROWS_WITH(ops::conv2d(Tensor::zeros({1, 1, 3, 3}), Tensor::zeros({1, 1, 5, 5}), Tensor()),
                        Contains("kernel 5×5") && Contains("larger than the padded input") && Contains("(1, 1, 3, 3)"));
    REQUIRE_NOTHROW(ops::conv2d(Tensor::zeros({1, 1, 3, 3}), Tensor::zeros({1, 1, 5, 5}), Tensor(), 1, 1));
    REQUIRE_THROWS_WITH(ops::conv2d(Tensor::zeros({3, 8, 8}), Tensor::zeros({4, 3, 3, 3}), Tensor()),
                        Contains("(N, C, H, W)") && Contains("(3, 8, 8)"));
    REQUIRE_THROWS_WITH(ops::conv2d(x, Tensor::zeros({4, 3, 3}), Tensor()), Contains("(O, C, kh, kw)"));
    REQUIRE_THROWS_WITH(ops::conv2d(x, Tensor::zeros({4, 3, 3, 3}), Tensor::zeros({3})),
                        Contains("bias has shape (3)") && Contains("(4)"));
    REQUIRE_THROWS_WITH(ops::conv2d(x, Tensor::zeros({4, 3, 3, 3}), Tensor(), 0), Contains("stride must be >= 1"));
    REQUIRE_THROWS_WITH(ops::conv2d(x, Tensor::zeros({4, 3, 3, 3}), Tensor(), 1, -1), Contains("padding must be >= 0"));
    // Through autograd the same message reaches the caller.
    REQUIRE_THROWS_WITH(autograd::conv2d(autograd::Var(x), autograd::Var(Tensor::zeros({4, 1, 3, 3}))),
                        Contains("has 3 channels"));
}

TEST_CASE("conv2d backward rejects gradients of the wrong shape", "[conv][errors]") {
    const Tensor w = Tensor::zeros({4, 3, 3, 3});
    Tensor dx = Tensor::zeros({2, 3, 8, 8}), dw = Tensor::zeros({4, 3, 3, 3}), db = Tensor::zeros({5});
    const Tensor wrong = Tensor::zeros({2, 4, 7, 7});  // a padding-0 output would be 6×6, padding 1 8×8
    REQUIRE_THROWS_WITH(ops::conv2d_backward(dx, w, wrong, 1, 1, {&dx, 0.0f, nullptr, 0.0f, nullptr, 0.0f}),
                        Contains("dy has shape (2, 4, 7, 7)") && Contains("(2, 4, 8, 8)"));
    REQUIRE_THROWS_WITH(ops::conv2d_backward(dx, w, wrong, 1, 0, {nullptr, 0.0f, &dw, 0.0f, nullptr, 0.0f}),
                        Contains("(2, 4, 6, 6)"));
    const Tensor dy = Tensor::zeros({2, 4, 8, 8});
    REQUIRE_THROWS_WITH(ops::conv2d_backward(dx, w, dy, 1, 1, {nullptr, 0.0f, &dw, 0.0f, &db, 0.0f}),
                        Contains("db has shape (5)"));
    Tensor dx_wrong = Tensor::zeros({2, 3, 8, 7});
    REQUIRE_THROWS_WITH(ops::conv2d_backward(dx, w, dy, 1, 1, {&dx_wrong, 0.0f, &dw, 0.0f, nullptr, 0.0f}),
                        Contains("conv2d_backward") && Contains("dx has shape (2, 3, 8, 7)") && Contains("(2, 3, 8, 8)"));
}

TEST_CASE("pooling rejects bad windows with clear messages", "[conv][errors]") {
    const Tensor x = Tensor::zeros({1, 2, 4, 4});
    REQUIRE_THROWS_WITH(ops::max_pool2d(x, 2, 2, 2), Contains("max_pool2d") && Contains("more than half the kernel"));
    REQUIRE_THROWS_WITH(ops::avg_pool2d(Tensor::zeros({1, 1, 2, 2}), 3, 1),
                        Contains("avg_pool2d") && Contains("kernel 3×3") && Contains("(1, 1, 2, 2)"));
    REQUIRE_THROWS_WITH(ops::max_pool2d(x, 0, 1), Contains("kernel size must be >= 1"));
    REQUIRE_THROWS_WITH(ops::max_pool2d(Tensor::zeros({4, 4}), 2, 2), Contains("(N, C, H, W)"));
    Tensor dx = Tensor::zeros({1, 2, 4, 4});
    const ops::MaxPool2dResult m = ops::max_pool2d(x, 2, 2);
    REQUIRE_THROWS_WITH(ops::max_pool2d_backward(m.y, m.argmax, 2, 1, 0, 0.0f, dx),
                        Contains("dy has shape (1, 2, 2, 2)") && Contains("(1, 2, 3, 3)"));
}
