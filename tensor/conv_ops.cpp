// Convolution and pooling ops (see conv_ops.h): validate through the geometry structs, check that
// every tensor matches them and shares one device, then make exactly one backend call.
#include "tensor/conv_ops.h"

#include "tensor/backend.h"
#include "tensor/conv_geometry.h"
#include "tensor/error.h"

namespace probenet::ops {

namespace {

Backend& device_of(const char* op, std::initializer_list<const Tensor*> tensors) {
    const Tensor& first = **tensors.begin();
    for (const Tensor* t : tensors) {
        PROBENET_CHECK(t->defined(), op, ": undefined tensor argument");
        PROBENET_CHECK(t->device() == first.device(), op, ": tensors on different devices (",
                       device_name(first.device()), " ", first.shape_str(), " vs ", device_name(t->device()), " ",
                       t->shape_str(), "); move one with .to()");
    }
    return backend_for(first.device());
}

void expect_shape(const char* op, const char* name, const Tensor& t, const Shape& want, const std::string& context) {
    PROBENET_CHECK(t.shape() == want, op, ": ", name, " has shape ", t.shape_str(), " but ", context, " needs ",
                   shape_str(want));
}

// Plane indices are stored as floats; beyond 2^24 consecutive integers are no longer all representable.
void check_index_range(const char* op, const Pool2dGeometry& g) {
    PROBENET_CHECK(g.H * g.W <= (int64_t(1) << 24), op, ": an input plane of ", g.H, "×", g.W,
                   " has more than 2^24 elements, which float argmax indices cannot address exactly");
}

// Checks a convolution's arguments and returns its geometry and backend.
struct Checked {
    Backend& be;
    Conv2dGeometry g;
};

Checked check_forward(const char* op, const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding) {
    Backend& be = bias.defined() ? device_of(op, {&x, &w, &bias}) : device_of(op, {&x, &w});
    const Conv2dGeometry g = Conv2dGeometry::make(op, x.shape(), w.shape(), stride, padding);
    if (bias.defined()) expect_shape(op, "bias", bias, {g.O}, "weight " + w.shape_str());
    return {be, g};
}

// dx, dw and db, where wanted, match x, w and the convolution's output channels, on x's device.
void check_grads(const char* op, const Tensor& x, const Tensor& w, const Conv2dGeometry& g, const Conv2dGrads& grads) {
    if (grads.dx) {
        device_of(op, {&x, grads.dx});
        expect_shape(op, "dx", *grads.dx, x.shape(), "input " + x.shape_str());
    }
    if (grads.dw) {
        device_of(op, {&x, grads.dw});
        expect_shape(op, "dw", *grads.dw, w.shape(), "weight " + w.shape_str());
    }
    if (grads.db) {
        device_of(op, {&x, grads.db});
        expect_shape(op, "db", *grads.db, {g.O}, "weight " + w.shape_str());
    }
}

Checked check_backward(const char* op, const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding,
                       const Conv2dGrads& grads) {
    Backend& be = device_of(op, {&x, &w, &dy});
    const Conv2dGeometry g = Conv2dGeometry::make(op, x.shape(), w.shape(), stride, padding);
    expect_shape(op, "dy", dy, g.output_shape(), "input " + x.shape_str() + " with weight " + w.shape_str());
    check_grads(op, x, w, g, grads);
    return {be, g};
}

float* data_or_null(Tensor* t) { return t ? t->data() : nullptr; }

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding) {
    auto [be, g] = check_forward("conv2d", x, w, bias, stride, padding);
    Tensor y = Tensor::empty(g.output_shape(), x.device());
    be.conv2d_forward(g, x.data(), w.data(), bias.defined() ? bias.data() : nullptr, y.data());
    return y;
}

void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding,
                     const Conv2dGrads& grads) {
    auto [be, g] = check_backward("conv2d_backward", x, w, dy, stride, padding, grads);
    be.conv2d_backward(g, x.data(), w.data(), dy.data(), grads.beta_dx, data_or_null(grads.dx), grads.beta_dw,
                       data_or_null(grads.dw), grads.beta_db, data_or_null(grads.db));
}

Tensor conv2d_relu(const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding) {
    auto [be, g] = check_forward("conv2d_relu", x, w, bias, stride, padding);
    Tensor y = Tensor::empty(g.output_shape(), x.device());
    be.conv2d_relu_forward(g, x.data(), w.data(), bias.defined() ? bias.data() : nullptr, y.data());
    return y;
}

void conv2d_relu_backward(const Tensor& x, const Tensor& w, const Tensor& y, const Tensor& dy, int stride,
                          int padding, const Conv2dGrads& grads) {
    const char* op = "conv2d_relu_backward";
    auto [be, g] = check_backward(op, x, w, dy, stride, padding, grads);
    device_of(op, {&x, &y});
    expect_shape(op, "y", y, g.output_shape(), "input " + x.shape_str() + " with weight " + w.shape_str());
    be.conv2d_relu_backward(g, x.data(), w.data(), y.data(), dy.data(), grads.beta_dx, data_or_null(grads.dx),
                            grads.beta_dw, data_or_null(grads.dw), grads.beta_db, data_or_null(grads.db));
}

MaxPool2dResult conv2d_relu_maxpool(const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding,
                                    int pool_kernel, int pool_stride, int pool_padding) {
    const char* op = "conv2d_relu_maxpool";
    auto [be, g] = check_forward(op, x, w, bias, stride, padding);
    const Pool2dGeometry pg = Pool2dGeometry::make(op, g.output_shape(), pool_kernel, pool_stride, pool_padding);
    check_index_range(op, pg);
    MaxPool2dResult r{Tensor::empty(pg.output_shape(), x.device()), Tensor::empty(pg.output_shape(), x.device())};
    be.conv2d_relu_maxpool_forward(g, pg, x.data(), w.data(), bias.defined() ? bias.data() : nullptr, r.y.data(),
                                   r.argmax.data());
    return r;
}

void conv2d_relu_maxpool_backward(const Tensor& x, const Tensor& w, const MaxPool2dResult& pooled, const Tensor& dy,
                                  int stride, int padding, int pool_kernel, int pool_stride, int pool_padding,
                                  const Conv2dGrads& grads) {
    const char* op = "conv2d_relu_maxpool_backward";
    Backend& be = device_of(op, {&x, &w, &dy, &pooled.y, &pooled.argmax});
    const Conv2dGeometry g = Conv2dGeometry::make(op, x.shape(), w.shape(), stride, padding);
    const Pool2dGeometry pg = Pool2dGeometry::make(op, g.output_shape(), pool_kernel, pool_stride, pool_padding);
    const std::string context = "input " + x.shape_str() + " with weight " + w.shape_str() + " and its pool";
    expect_shape(op, "dy", dy, pg.output_shape(), context);
    expect_shape(op, "y", pooled.y, pg.output_shape(), context);
    expect_shape(op, "argmax", pooled.argmax, pg.output_shape(), context);
    check_grads(op, x, w, g, grads);
    be.conv2d_relu_maxpool_backward(g, pg, x.data(), w.data(), pooled.y.data(), pooled.argmax.data(), dy.data(),
                                    grads.beta_dx, data_or_null(grads.dx), grads.beta_dw, data_or_null(grads.dw),
                                    grads.beta_db, data_or_null(grads.db));
}

MaxPool2dResult max_pool2d(const Tensor& x, int kernel, int stride, int padding) {
    Backend& be = device_of("max_pool2d", {&x});
    const Pool2dGeometry g = Pool2dGeometry::make("max_pool2d", x.shape(), kernel, stride, padding);
    check_index_range("max_pool2d", g);
    MaxPool2dResult r{Tensor::empty(g.output_shape(), x.device()), Tensor::empty(g.output_shape(), x.device())};
    be.max_pool2d_forward(g, x.data(), r.y.data(), r.argmax.data());
    return r;
}

void max_pool2d_backward(const Tensor& dy, const Tensor& argmax, int kernel, int stride, int padding, float beta,
                         Tensor& dx) {
    Backend& be = device_of("max_pool2d_backward", {&dy, &argmax, &dx});
    const Pool2dGeometry g = Pool2dGeometry::make("max_pool2d_backward", dx.shape(), kernel, stride, padding);
    check_index_range("max_pool2d_backward", g);
    const std::string context = "input " + dx.shape_str();
    expect_shape("max_pool2d_backward", "dy", dy, g.output_shape(), context);
    expect_shape("max_pool2d_backward", "argmax", argmax, g.output_shape(), context);
    be.max_pool2d_backward(g, dy.data(), argmax.data(), beta, dx.data());
}

Tensor avg_pool2d(const Tensor& x, int kernel, int stride, int padding) {
    Backend& be = device_of("avg_pool2d", {&x});
    const Pool2dGeometry g = Pool2dGeometry::make("avg_pool2d", x.shape(), kernel, stride, padding);
    Tensor y = Tensor::empty(g.output_shape(), x.device());
    be.avg_pool2d_forward(g, x.data(), y.data());
    return y;
}

void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, int padding, float beta, Tensor& dx) {
    Backend& be = device_of("avg_pool2d_backward", {&dy, &dx});
    const Pool2dGeometry g = Pool2dGeometry::make("avg_pool2d_backward", dx.shape(), kernel, stride, padding);
    expect_shape("avg_pool2d_backward", "dy", dy, g.output_shape(), "input " + dx.shape_str());
    be.avg_pool2d_backward(g, dy.data(), beta, dx.data());
}

}  // namespace probenet::ops
