// Tensor ops against hand-computed values, and the shape errors they must raise.
#include <catch2/catch.hpp>

#include "tensor/error.h"
#include "tensor/ops.h"
#include "tensor/random.h"

using namespace probenet;

namespace {
void require_values(const Tensor& t, const std::vector<float>& want) {
    const std::vector<float> got = t.to_vector();
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        INFO("element " << i);
        REQUIRE(got[i] == Approx(want[i]).margin(1e-5));
    }
}

// Naive reference product for random shapes: C = op(A) op(B).
std::vector<float> naive_matmul(const Tensor& A, bool ta, const Tensor& B, bool tb) {
    const int64_t M = ta ? A.dim(1) : A.dim(0), K = ta ? A.dim(0) : A.dim(1), N = tb ? B.dim(0) : B.dim(1);
    std::vector<float> C(static_cast<size_t>(M * N), 0.0f);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            double s = 0;
            for (int64_t k = 0; k < K; ++k)
                s += double(ta ? A.at({k, i}) : A.at({i, k})) * double(tb ? B.at({j, k}) : B.at({k, j}));
            C[static_cast<size_t>(i * N + j)] = float(s);
        }
    return C;
}
}  // namespace

TEST_CASE("gemm, non-square, every transpose combination, by hand", "[tensor][gemm]") {
    // A (2,3) = [[1,2,3],[4,5,6]], B (3,2) = [[7,8],[9,10],[11,12]]: A·B = [[58,64],[139,154]].
    const Tensor A = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor B = Tensor::from_vector({3, 2}, {7, 8, 9, 10, 11, 12});
    require_values(ops::matmul(A, B), {58, 64, 139, 154});
    // Aᵀ (3,2) stored as (2,3): Aᵀ·Aᵀᵀ... use At (3,2) = [[1,4],[2,5],[3,6]] so op(At)=A.
    const Tensor At = Tensor::from_vector({3, 2}, {1, 4, 2, 5, 3, 6});
    const Tensor Bt = Tensor::from_vector({2, 3}, {7, 9, 11, 8, 10, 12});
    require_values(ops::matmul(At, B, true, false), {58, 64, 139, 154});
    require_values(ops::matmul(A, Bt, false, true), {58, 64, 139, 154});
    require_values(ops::matmul(At, Bt, true, true), {58, 64, 139, 154});
    // B·A is (3,3): [[39,54,69],[49,68,87],[59,82,105]].
    require_values(ops::matmul(B, A), {39, 54, 69, 49, 68, 87, 59, 82, 105});
}

TEST_CASE("gemm alpha/beta accumulate, and random shapes against a naive loop", "[tensor][gemm]") {
    const Tensor A = Tensor::from_vector({1, 2}, {1, 2});
    const Tensor B = Tensor::from_vector({2, 1}, {3, 4});
    Tensor C = Tensor::from_vector({1, 1}, {10});
    ops::gemm(A, false, B, false, C, 2.0f, 1.0f);  // 10 + 2·11
    require_values(C, {32});
    Rng rng(3);
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            const Tensor X = Tensor::normal(ta ? Shape{7, 5} : Shape{5, 7}, 0, 1, rng);
            const Tensor Y = Tensor::normal(tb ? Shape{3, 7} : Shape{7, 3}, 0, 1, rng);
            INFO("ta=" << ta << " tb=" << tb);
            require_values(ops::matmul(X, Y, ta, tb), naive_matmul(X, ta, Y, tb));
        }
}

TEST_CASE("gemm rejects mismatched shapes with both shapes in the message", "[tensor][errors]") {
    const Tensor A = Tensor::zeros({2, 3}), B = Tensor::zeros({4, 2});
    REQUIRE_THROWS_WITH(ops::matmul(A, B), Catch::Contains("(2, 3)") && Catch::Contains("(4, 2)"));
    REQUIRE_THROWS_AS(ops::add(A, B), Error);
    REQUIRE_THROWS_WITH(ops::add(A, B), Catch::Contains("add") && Catch::Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(ops::matmul(Tensor::zeros({6}), A), Catch::Contains("rank 2"));
}

TEST_CASE("elementwise ops, relu and its mask", "[tensor]") {
    const Tensor a = Tensor::from_vector({4}, {1, -2, 3, -4});
    const Tensor b = Tensor::from_vector({4}, {0.5f, 0.5f, -1, 2});
    require_values(ops::add(a, b), {1.5f, -1.5f, 2, -2});
    require_values(ops::mul(a, b), {0.5f, -1, -3, -8});
    require_values(ops::scale(a, -2), {-2, 4, -6, 8});
    Tensor y = b.clone();
    ops::axpby(2.0f, a, 3.0f, y);
    require_values(y, {3.5f, -2.5f, 3, -2});
    const Tensor r = ops::relu(a);
    require_values(r, {1, 0, 3, 0});
    Tensor gx = Tensor::full({4}, 1.0f);
    ops::relu_backward(r, Tensor::from_vector({4}, {10, 20, 30, 40}), 1.0f, gx);
    require_values(gx, {11, 1, 31, 1});
    ops::relu_backward(r, Tensor::from_vector({4}, {10, 20, 30, 40}), 0.0f, gx);
    require_values(gx, {10, 0, 30, 0});
}

TEST_CASE("bias over rows; sum over each axis; broadcast back", "[tensor][reduce]") {
    Tensor y = Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6});
    ops::add_bias_rows(y, Tensor::from_vector({3}, {10, 20, 30}));
    require_values(y, {11, 22, 33, 14, 25, 36});
    REQUIRE_THROWS_WITH(ops::add_bias_rows(y, Tensor::zeros({2})), Catch::Contains("bias"));

    // x (2,3,2) = 0..11
    std::vector<float> v(12);
    for (int i = 0; i < 12; ++i) v[i] = float(i);
    const Tensor x = Tensor::from_vector({2, 3, 2}, v);
    require_values(ops::sum_axis(x, 0), {6, 8, 10, 12, 14, 16});
    require_values(ops::sum_axis(x, 1), {6, 9, 24, 27});
    require_values(ops::sum_axis(x, 2), {1, 5, 9, 13, 17, 21});
    require_values(ops::sum_axis(x, -1), {1, 5, 9, 13, 17, 21});
    REQUIRE(ops::sum_axis(x, 1).shape() == Shape{2, 2});
    REQUIRE_THROWS_WITH(ops::sum_axis(x, 3), Catch::Contains("axis 3"));

    Tensor out = Tensor::zeros({2, 3, 2});
    ops::broadcast_axis_into(Tensor::from_vector({2, 2}, {1, 2, 3, 4}), 1, 2.0f, 0.0f, out);
    require_values(out, {2, 4, 2, 4, 2, 4, 6, 8, 6, 8, 6, 8});
}

TEST_CASE("argmax per row, first index on ties", "[tensor][reduce]") {
    const Tensor x = Tensor::from_vector({3, 3}, {1, 5, 5, -1, -3, -2, 0, 0, 0});
    REQUIRE(ops::argmax_rows(x) == std::vector<int32_t>{1, 0, 0});
}

TEST_CASE("log-softmax is stable and nll/cross-entropy gradient matches by hand", "[tensor]") {
    // Row [0, ln 3]: softmax = [1/4, 3/4]. Row [1000, 1000]: stable, [−ln2, −ln2].
    const Tensor x = Tensor::from_vector({2, 2}, {0.0f, std::log(3.0f), 1000.0f, 1000.0f});
    const Tensor lp = ops::log_softmax_rows(x);
    require_values(lp, {std::log(0.25f), std::log(0.75f), -std::log(2.0f), -std::log(2.0f)});
    REQUIRE(ops::nll_sum(lp, {1, 0}) == Approx(-std::log(0.75) + std::log(2.0)));
    Tensor g = Tensor::zeros({2, 2});
    ops::softmax_xent_backward(lp, {1, 0}, 0.5f, 0.0f, g);
    require_values(g, {0.125f, -0.125f, -0.25f, 0.25f});
    REQUIRE_THROWS_WITH(ops::nll_sum(lp, {1, 2}), Catch::Contains("label 2"));
    REQUIRE_THROWS_WITH(ops::nll_sum(lp, {1}), Catch::Contains("1 labels"));
}
