// Tensor: a float32, contiguous, row-major array of any rank on one device, with shared storage.
//
// Copying a Tensor shares its storage (like a shared_ptr); `clone()` copies the data. `reshape`
// and `rows` return views onto the same storage. Tensors never know about gradients: that is
// autograd's job. Arithmetic on tensors goes through tensor/ops.h and tensor/conv_ops.h, which check
// shapes and dispatch to the device's backend; the optimizers' fused updates call the backend
// directly (optim/), and code needing raw host floats (the probe's BLAS/LAPACK calls) uses data().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "tensor/device.h"
#include "tensor/shape.h"

namespace probenet {

class Rng;

// A block of device memory; returned to its backend's allocator when the last Tensor lets go.
class Storage {
public:
    Storage(Device device, int64_t numel);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    float* data() { return data_; }
    const float* data() const { return data_; }
    int64_t numel() const { return numel_; }
    Device device() const { return device_; }

private:
    Device device_;
    int64_t numel_;
    float* data_;
};

class Tensor {
public:
    Tensor() = default;  // undefined: no storage, shape ()

    // Uninitialised memory of the given shape (fast; use when every element is written next).
    static Tensor empty(const Shape& shape, Device device = Device::CPU);
    static Tensor zeros(const Shape& shape, Device device = Device::CPU);
    static Tensor full(const Shape& shape, float value, Device device = Device::CPU);
    static Tensor ones(const Shape& shape, Device device = Device::CPU) { return full(shape, 1.0f, device); }
    // Uniform in [low, high) and normal(mean, std), drawn on the CPU from `rng` in row-major order.
    static Tensor uniform(const Shape& shape, float low, float high, Rng& rng, Device device = Device::CPU);
    static Tensor normal(const Shape& shape, float mean, float std, Rng& rng, Device device = Device::CPU);
    static Tensor from_vector(const Shape& shape, const std::vector<float>& values, Device device = Device::CPU);

    bool defined() const { return storage_ != nullptr; }
    const Shape& shape() const { return shape_; }
    int rank() const { return static_cast<int>(shape_.size()); }
    int64_t dim(int axis) const;  // negative axes count from the end
    int64_t numel() const { return shape_numel(shape_); }
    Device device() const;
    std::string shape_str() const { return probenet::shape_str(shape_); }

    // Raw pointers into device memory (host-readable only for Device::CPU).
    float* data();
    const float* data() const;

    // A view with another shape and the same number of elements; one extent may be -1.
    Tensor reshape(const Shape& shape) const;
    // A view of rows [begin, end) along the first axis.
    Tensor rows(int64_t begin, int64_t end) const;

    Tensor clone() const;                  // deep copy on the same device
    Tensor to(Device device) const;        // copy to `device` (shares storage if already there)
    std::vector<float> to_vector() const;  // host copy of all elements, row-major

    // Host element access for tests and small reads (CPU tensors only).
    float& at(std::initializer_list<int64_t> index);
    float at(std::initializer_list<int64_t> index) const;
    float item() const;  // the single element of a one-element tensor

    bool shares_storage_with(const Tensor& other) const { return storage_ == other.storage_; }

private:
    int64_t flat_index(std::initializer_list<int64_t> index) const;

    std::shared_ptr<Storage> storage_;
    int64_t offset_ = 0;
    Shape shape_;
};

}  // namespace probenet
