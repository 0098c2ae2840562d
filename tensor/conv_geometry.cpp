// Validation and output sizes for Conv2dGeometry and Pool2dGeometry (see conv_geometry.h).
#include "tensor/conv_geometry.h"

#include "tensor/error.h"

namespace probenet {

namespace {

// floor((in + 2·pad − k) / stride) + 1, after checking that the kernel fits the padded input.
int64_t window_count(const char* op, const char* axis, int64_t in, int64_t k, int64_t stride, int64_t pad,
                     const Shape& x, const std::string& what) {
    PROBENET_CHECK(k <= in + 2 * pad, op, ": kernel ", what, " is larger than the padded input along ", axis, " (",
                   in, " + 2·", pad, " = ", in + 2 * pad, " < ", k, ") for input ", shape_str(x),
                   "; use a smaller kernel, more padding or a larger input");
    return (in + 2 * pad - k) / stride + 1;
}

void check_stride_padding(const char* op, int64_t stride, int64_t padding) {
    PROBENET_CHECK(stride >= 1, op, ": stride must be >= 1, got ", stride);
    PROBENET_CHECK(padding >= 0, op, ": padding must be >= 0, got ", padding);
}

void check_input(const char* op, const Shape& x) {
    PROBENET_CHECK(x.size() == 4, op, ": input must be (N, C, H, W), got shape ", shape_str(x),
                   "; add the missing batch or channel axis with reshape");
    PROBENET_CHECK(x[0] >= 1 && x[1] >= 1 && x[2] >= 1 && x[3] >= 1, op, ": input ", shape_str(x),
                   " has an empty axis");
}

}  // namespace

Conv2dGeometry Conv2dGeometry::make(const char* op, const Shape& x, const Shape& w, int64_t stride, int64_t padding) {
    check_input(op, x);
    PROBENET_CHECK(w.size() == 4 && w[0] >= 1 && w[2] >= 1 && w[3] >= 1, op, ": weight must be (O, C, kh, kw) with "
                   "non-empty extents, got shape ", shape_str(w));
    PROBENET_CHECK(w[1] == x[1], op, ": input ", shape_str(x), " has ", x[1], " channels but weight ", shape_str(w),
                   " (O, C, kh, kw) expects ", w[1]);
    check_stride_padding(op, stride, padding);
    Conv2dGeometry g;
    g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
    g.O = w[0], g.kh = w[2], g.kw = w[3];
    g.stride_h = g.stride_w = stride;
    g.pad_h = g.pad_w = padding;
    const std::string what = std::to_string(g.kh) + "×" + std::to_string(g.kw) + " of weight " + shape_str(w);
    g.Ho = window_count(op, "height", g.H, g.kh, stride, padding, x, what);
    g.Wo = window_count(op, "width", g.W, g.kw, stride, padding, x, what);
    return g;
}

Pool2dGeometry Pool2dGeometry::make(const char* op, const Shape& x, int64_t kernel, int64_t stride, int64_t padding) {
    check_input(op, x);
    PROBENET_CHECK(kernel >= 1, op, ": kernel size must be >= 1, got ", kernel);
    check_stride_padding(op, stride, padding);
    PROBENET_CHECK(2 * padding <= kernel, op, ": padding ", padding, " is more than half the kernel ", kernel,
                   " (a window could hold only padding); use padding <= kernel / 2");
    Pool2dGeometry g;
    g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
    g.kh = g.kw = kernel;
    g.stride_h = g.stride_w = stride;
    g.pad_h = g.pad_w = padding;
    const std::string what = std::to_string(kernel) + "×" + std::to_string(kernel);
    g.Ho = window_count(op, "height", g.H, kernel, stride, padding, x, what);
    g.Wo = window_count(op, "width", g.W, kernel, stride, padding, x, what);
    return g;
}

}  // namespace probenet
