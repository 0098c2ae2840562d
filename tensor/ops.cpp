#include "tensor/ops.h"

#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet::ops {

namespace {

Backend& same_device(const char* op, const Tensor& a, const Tensor& b) {
    PROBENET_CHECK(a.defined() && b.defined(), op, ": undefined tensor argument");
    PROBENET_CHECK(a.device() == b.device(), op, ": tensors on different devices (", device_name(a.device()), " ",
                   a.shape_str(), " vs ", device_name(b.device()), " ", b.shape_str(), "); move one with .to()");
    return backend_for(a.device());
}

void same_shape(const char* op, const Tensor& a, const Tensor& b) {
    PROBENET_CHECK(a.shape() == b.shape(), op, ": shapes differ, ", a.shape_str(), " vs ", b.shape_str());
}

void rank2(const char* op, const char* name, const Tensor& t) {
    PROBENET_CHECK(t.rank() == 2, op, ": ", name, " must be a matrix (rank 2), got shape ", t.shape_str());
}

int normalize_axis(const char* op, const Tensor& x, int axis) {
    const int a = axis < 0 ? axis + x.rank() : axis;
    PROBENET_CHECK(a >= 0 && a < x.rank(), op, ": axis ", axis, " out of range for shape ", x.shape_str());
    return a;
}

// x viewed as (outer, n, inner) around `axis`.
void split_at(const Tensor& x, int axis, int64_t& outer, int64_t& n, int64_t& inner) {
    outer = 1, inner = 1;
    for (int i = 0; i < axis; ++i) outer *= x.dim(i);
    n = x.dim(axis);
    for (int i = axis + 1; i < x.rank(); ++i) inner *= x.dim(i);
}

Shape without_axis(const Shape& s, int axis) {
    Shape out = s;
    out.erase(out.begin() + axis);
    return out;
}

void check_labels(const char* op, const Tensor& logp, const std::vector<int32_t>& labels) {
    rank2(op, "log-probabilities", logp);
    PROBENET_CHECK(static_cast<int64_t>(labels.size()) == logp.dim(0), op, ": ", labels.size(),
                   " labels for a batch of shape ", logp.shape_str());
    for (size_t i = 0; i < labels.size(); ++i)
        PROBENET_CHECK(labels[i] >= 0 && labels[i] < logp.dim(1), op, ": label ", labels[i], " at row ", i,
                       " is outside [0, ", logp.dim(1), ")");
}

}  // namespace

void gemm(const Tensor& A, bool trans_a, const Tensor& B, bool trans_b, Tensor& C, float alpha, float beta) {
    Backend& be = same_device("gemm", A, B);
    same_device("gemm", A, C);
    rank2("gemm", "A", A), rank2("gemm", "B", B), rank2("gemm", "C", C);
    const int64_t M = trans_a ? A.dim(1) : A.dim(0), K = trans_a ? A.dim(0) : A.dim(1);
    const int64_t KB = trans_b ? B.dim(1) : B.dim(0), N = trans_b ? B.dim(0) : B.dim(1);
    PROBENET_CHECK(K == KB && C.dim(0) == M && C.dim(1) == N, "gemm: op(A) ", A.shape_str(), trans_a ? "ᵀ" : "",
                   " times op(B) ", B.shape_str(), trans_b ? "ᵀ" : "", " into C ", C.shape_str(),
                   ": inner or outer dimensions do not match");
    be.gemm(trans_a, trans_b, M, N, K, alpha, A.data(), A.dim(1), B.data(), B.dim(1), beta, C.data(), C.dim(1));
}

void gemm_tn_rows(const Tensor& A, const Tensor& B, const Backend::RowBlockConsumer& consume) {
    Backend& be = same_device("gemm_tn_rows", A, B);
    rank2("gemm_tn_rows", "A", A), rank2("gemm_tn_rows", "B", B);
    PROBENET_CHECK(A.dim(0) == B.dim(0), "gemm_tn_rows: Aᵀ from ", A.shape_str(), " times ", B.shape_str(),
                   ": A and B need the same number of rows");
    be.gemm_tn_rows(A.dim(1), B.dim(1), A.dim(0), A.data(), A.dim(1), B.data(), B.dim(1), consume);
}

void linear_backward_with_update(const Tensor& g, const Tensor& x, const Tensor& W, float beta_dx, Tensor& dx,
                                 const Backend::SegmentConsumer& consume, const SgdStep* step) {
    Backend& be = same_device("linear_backward_with_update", g, x);
    same_device("linear_backward_with_update", g, W), same_device("linear_backward_with_update", g, dx);
    rank2("linear_backward_with_update", "g", g), rank2("linear_backward_with_update", "x", x);
    rank2("linear_backward_with_update", "W", W), rank2("linear_backward_with_update", "dx", dx);
    PROBENET_CHECK(g.dim(0) == x.dim(0) && W.dim(0) == g.dim(1) && W.dim(1) == x.dim(1) && dx.shape() == x.shape(),
                   "linear_backward_with_update: g ", g.shape_str(), ", x ", x.shape_str(), ", W ", W.shape_str(),
                   ", dx ", dx.shape_str(), " do not fit (g (B, N), x and dx (B, K), W (N, K))");
    PROBENET_CHECK(!step || step->param == W.data(), "linear_backward_with_update: the SGD step updates another "
                   "tensor than W ", W.shape_str());
    be.linear_backward_with_update(g.dim(0), g.dim(1), x.dim(1), g.data(), x.data(), W.data(), beta_dx, dx.data(),
                                   consume, step);
}

Tensor matmul(const Tensor& A, const Tensor& B, bool trans_a, bool trans_b) {
    rank2("matmul", "A", A), rank2("matmul", "B", B);
    Tensor C = Tensor::empty({trans_a ? A.dim(1) : A.dim(0), trans_b ? B.dim(0) : B.dim(1)}, A.device());
    gemm(A, trans_a, B, trans_b, C, 1.0f, 0.0f);
    return C;
}

#define PROBENET_BINARY_OP(NAME)                                      \
    Tensor NAME(const Tensor& a, const Tensor& b) {                   \
        Backend& be = same_device(#NAME, a, b);                       \
        same_shape(#NAME, a, b);                                      \
        Tensor out = Tensor::empty(a.shape(), a.device());            \
        be.NAME(a.numel(), a.data(), b.data(), out.data());           \
        return out;                                                   \
    }
PROBENET_BINARY_OP(add)
PROBENET_BINARY_OP(mul)
#undef PROBENET_BINARY_OP

Tensor scale(const Tensor& x, float alpha) {
    Tensor out = Tensor::empty(x.shape(), x.device());
    backend_for(x.device()).axpby(x.numel(), alpha, x.data(), 0.0f, out.data());
    return out;
}

void axpby(float alpha, const Tensor& x, float beta, Tensor& y) {
    Backend& be = same_device("axpby", x, y);
    same_shape("axpby", x, y);
    be.axpby(x.numel(), alpha, x.data(), beta, y.data());
}

void mul_acc(float alpha, const Tensor& a, const Tensor& b, float beta, Tensor& out) {
    Backend& be = same_device("mul_acc", a, b);
    same_device("mul_acc", a, out);
    same_shape("mul_acc", a, b), same_shape("mul_acc", a, out);
    be.mul_acc(a.numel(), alpha, a.data(), b.data(), beta, out.data());
}

void fill(Tensor& t, float value) { backend_for(t.device()).fill(t.data(), t.numel(), value); }

void copy(const Tensor& src, Tensor& dst) {
    Backend& be = same_device("copy", src, dst);
    same_shape("copy", src, dst);
    be.copy(dst.data(), src.data(), src.numel());
}

Tensor relu(const Tensor& x) {
    Tensor y = Tensor::empty(x.shape(), x.device());
    backend_for(x.device()).relu(x.numel(), x.data(), y.data());
    return y;
}

void relu_backward(const Tensor& y, const Tensor& gy, float beta, Tensor& gx) {
    Backend& be = same_device("relu_backward", y, gy);
    same_device("relu_backward", y, gx);
    same_shape("relu_backward", y, gy), same_shape("relu_backward", y, gx);
    be.relu_backward(y.numel(), y.data(), gy.data(), beta, gx.data());
}

void add_bias_rows(Tensor& y, const Tensor& bias) {
    Backend& be = same_device("add_bias_rows", y, bias);
    rank2("add_bias_rows", "y", y);
    PROBENET_CHECK(bias.rank() == 1 && bias.dim(0) == y.dim(1), "add_bias_rows: bias of shape ", bias.shape_str(),
                   " does not match the columns of ", y.shape_str());
    be.add_bias_rows(y.dim(0), y.dim(1), bias.data(), y.data());
}

Tensor sum_axis(const Tensor& x, int axis) {
    const int a = normalize_axis("sum_axis", x, axis);
    Tensor out = Tensor::empty(without_axis(x.shape(), a), x.device());
    sum_axis_into(x, a, 0.0f, out);
    return out;
}

void sum_axis_into(const Tensor& x, int axis, float beta, Tensor& out) {
    Backend& be = same_device("sum_axis", x, out);
    const int a = normalize_axis("sum_axis", x, axis);
    PROBENET_CHECK(out.shape() == without_axis(x.shape(), a), "sum_axis: summing ", x.shape_str(), " over axis ",
                   axis, " cannot go into ", out.shape_str());
    int64_t outer, n, inner;
    split_at(x, a, outer, n, inner);
    be.sum_axis(outer, n, inner, x.data(), beta, out.data());
}

void broadcast_axis_into(const Tensor& g, int axis, float alpha, float beta, Tensor& out) {
    Backend& be = same_device("broadcast_axis", g, out);
    const int a = normalize_axis("broadcast_axis", out, axis);
    PROBENET_CHECK(g.shape() == without_axis(out.shape(), a), "broadcast_axis: ", g.shape_str(),
                   " cannot be broadcast along axis ", axis, " of ", out.shape_str());
    int64_t outer, n, inner;
    split_at(out, a, outer, n, inner);
    be.broadcast_axis(outer, n, inner, alpha, g.data(), beta, out.data());
}

std::vector<int32_t> argmax_rows(const Tensor& x) {
    rank2("argmax_rows", "x", x);
    std::vector<int32_t> out(static_cast<size_t>(x.dim(0)));
    backend_for(x.device()).argmax_rows(x.dim(0), x.dim(1), x.data(), out.data());
    return out;
}

Tensor log_softmax_rows(const Tensor& x) {
    rank2("log_softmax_rows", "x", x);
    Tensor y = Tensor::empty(x.shape(), x.device());
    backend_for(x.device()).log_softmax_rows(x.dim(0), x.dim(1), x.data(), y.data());
    return y;
}

double nll_sum(const Tensor& logp, const std::vector<int32_t>& labels) {
    check_labels("nll_sum", logp, labels);
    return backend_for(logp.device()).nll_sum(logp.dim(0), logp.dim(1), logp.data(), labels.data());
}

void softmax_xent_backward(const Tensor& logp, const std::vector<int32_t>& labels, float scale, float beta,
                           Tensor& gx) {
    Backend& be = same_device("softmax_xent_backward", logp, gx);
    check_labels("softmax_xent_backward", logp, labels);
    same_shape("softmax_xent_backward", logp, gx);
    be.softmax_xent_backward(logp.dim(0), logp.dim(1), logp.data(), labels.data(), scale, beta, gx.data());
}

}  // namespace probenet::ops
