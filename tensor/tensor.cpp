#include "tensor/tensor.h"

#include "tensor/backend.h"
#include "tensor/error.h"
#include "tensor/random.h"

namespace probenet {

Storage::Storage(Device device, int64_t numel)
    : device_(device), numel_(numel), data_(backend_for(device).allocate(numel)) {}

Storage::~Storage() { backend_for(device_).deallocate(data_, numel_); }

static void check_shape(const Shape& shape, const char* what) {
    for (int64_t d : shape)
        PROBENET_CHECK(d >= 0, what, ": negative extent in shape ", shape_str(shape));
}

Tensor Tensor::empty(const Shape& shape, Device device) {
    check_shape(shape, "Tensor::empty");
    Tensor t;
    t.storage_ = std::make_shared<Storage>(device, shape_numel(shape));
    t.shape_ = shape;
    return t;
}

Tensor Tensor::zeros(const Shape& shape, Device device) { return full(shape, 0.0f, device); }

Tensor Tensor::full(const Shape& shape, float value, Device device) {
    Tensor t = empty(shape, device);
    backend_for(device).fill(t.data(), t.numel(), value);
    return t;
}

Tensor Tensor::uniform(const Shape& shape, float low, float high, Rng& rng, Device device) {
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    for (float& x : v) x = rng.uniform(low, high);
    return from_vector(shape, v, device);
}

Tensor Tensor::normal(const Shape& shape, float mean, float std, Rng& rng, Device device) {
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    for (float& x : v) x = rng.normal(mean, std);
    return from_vector(shape, v, device);
}

Tensor Tensor::from_vector(const Shape& shape, const std::vector<float>& values, Device device) {
    PROBENET_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), "Tensor::from_vector: shape ",
                   probenet::shape_str(shape), " needs ", shape_numel(shape), " values, got ", values.size());
    Tensor t = empty(shape, device);
    backend_for(device).copy_from_host(t.data(), values.data(), t.numel());
    return t;
}

int64_t Tensor::dim(int axis) const {
    const int r = rank();
    const int a = axis < 0 ? axis + r : axis;
    PROBENET_CHECK(a >= 0 && a < r, "Tensor::dim: axis ", axis, " out of range for shape ", shape_str());
    return shape_[static_cast<size_t>(a)];
}

Device Tensor::device() const { return storage_ ? storage_->device() : Device::CPU; }

float* Tensor::data() {
    PROBENET_CHECK(defined(), "Tensor::data: tensor is undefined (default-constructed)");
    return storage_->data() + offset_;
}

const float* Tensor::data() const {
    PROBENET_CHECK(defined(), "Tensor::data: tensor is undefined (default-constructed)");
    return storage_->data() + offset_;
}

Tensor Tensor::reshape(const Shape& shape) const {
    Shape out = shape;
    int64_t known = 1;
    int infer = -1;
    for (size_t i = 0; i < out.size(); ++i) {
        if (out[i] == -1) {
            PROBENET_CHECK(infer < 0, "reshape: more than one -1 in ", probenet::shape_str(shape));
            infer = static_cast<int>(i);
        } else {
            known *= out[i];
        }
    }
    if (infer >= 0) {
        PROBENET_CHECK(known > 0 && numel() % known == 0, "reshape: cannot view ", shape_str(), " as ",
                       probenet::shape_str(shape));
        out[static_cast<size_t>(infer)] = numel() / known;
    }
    PROBENET_CHECK(shape_numel(out) == numel(), "reshape: cannot view ", shape_str(), " (", numel(),
                   " elements) as ", probenet::shape_str(shape));
    Tensor t = *this;
    t.shape_ = out;
    return t;
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
    PROBENET_CHECK(rank() >= 1 && begin >= 0 && begin <= end && end <= shape_[0], "Tensor::rows: [", begin, ", ",
                   end, ") is outside the first axis of ", shape_str());
    Tensor t = *this;
    const int64_t row = rank() ? numel() / std::max<int64_t>(shape_[0], 1) : 1;
    t.offset_ = offset_ + begin * row;
    t.shape_[0] = end - begin;
    return t;
}

Tensor Tensor::clone() const {
    Tensor t = empty(shape_, device());
    backend_for(device()).copy(t.data(), data(), numel());
    return t;
}

Tensor Tensor::to(Device device) const {
    if (device == this->device()) return *this;
    Tensor t = empty(shape_, device);
    if (device == Device::CPU) {
        backend_for(this->device()).copy_to_host(t.data(), data(), numel());
    } else {
        backend_for(device).copy_from_host(t.data(), data(), numel());
    }
    return t;
}

std::vector<float> Tensor::to_vector() const {
    std::vector<float> v(static_cast<size_t>(numel()));
    if (numel()) backend_for(device()).copy_to_host(v.data(), data(), numel());
    return v;
}

int64_t Tensor::flat_index(std::initializer_list<int64_t> index) const {
    PROBENET_CHECK(device() == Device::CPU, "Tensor::at: host access to a ", device_name(device()),
                   " tensor; call .to(Device::CPU) first");
    PROBENET_CHECK(static_cast<int>(index.size()) == rank(), "Tensor::at: ", index.size(),
                   " indices for shape ", shape_str());
    int64_t flat = 0;
    size_t axis = 0;
    for (int64_t i : index) {
        PROBENET_CHECK(i >= 0 && i < shape_[axis], "Tensor::at: index ", i, " out of range on axis ", axis,
                       " of shape ", shape_str());
        flat = flat * shape_[axis] + i;
        ++axis;
    }
    return flat;
}

float& Tensor::at(std::initializer_list<int64_t> index) { return data()[flat_index(index)]; }
float Tensor::at(std::initializer_list<int64_t> index) const { return data()[flat_index(index)]; }

float Tensor::item() const {
    PROBENET_CHECK(numel() == 1, "Tensor::item: tensor of shape ", shape_str(), " has ", numel(), " elements, not 1");
    return to_vector()[0];
}

}  // namespace probenet
