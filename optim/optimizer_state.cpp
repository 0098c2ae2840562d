// Shared by the optimizers (optim/optimizer.h): load_state's checks and the placement of state buffers.
#include "optim/optimizer.h"

#include <cstdint>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::optim {

void Optimizer::check_kind(const OptimizerState& state, const std::string& kind) const {
    const auto it = state.values.find("optimizer");
    const std::string found = it == state.values.end() ? "(none)" : it->second;
    PROBENET_CHECK(found == kind, "load_state: the saved optimizer state is for ", found, ", this optimizer is ", kind);
}

Tensor Optimizer::state_buffer(const OptimizerState& state, size_t i, const std::string& name) const {
    const std::string key = std::to_string(i) + "." + name;
    const auto it = state.tensors.find(key);
    if (it == state.tensors.end()) return Tensor();
    const Tensor& p = params_[i].value();
    PROBENET_CHECK(it->second.shape() == p.shape(), "load_state: optimizer buffer ", key, " has shape ",
                   it->second.shape_str(), " but parameter ", i, " has shape ", p.shape_str());
    Tensor copy = buffer_like(i);
    ops::copy(it->second.to(p.device()), copy);
    return copy;
}

Tensor Optimizer::buffer_like(size_t i) const {
    const Tensor& p = params_[i].value();
    constexpr int64_t kPage = 4096 / sizeof(float), kApart = 2048 / sizeof(float);  // in floats
    if (p.device() != Device::CPU || p.numel() < kPage) return Tensor::empty(p.shape(), p.device());
    const Tensor block = Tensor::empty({p.numel() + kPage}, p.device());
    const auto floats = [](const float* x) { return static_cast<int64_t>(reinterpret_cast<uintptr_t>(x) / sizeof(float)); };
    const int64_t shift = ((floats(p.data()) + kApart - floats(block.data())) % kPage + kPage) % kPage;
    return block.rows(shift, shift + p.numel()).reshape(p.shape());
}

}  // namespace probenet::optim
