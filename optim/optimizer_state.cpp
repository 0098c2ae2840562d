// Shared checks for Optimizer::load_state (optim/optimizer.h).
#include "optim/optimizer.h"

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
    Tensor copy = Tensor::empty(p.shape(), p.device());
    ops::copy(it->second.to(p.device()), copy);
    return copy;
}

}  // namespace probenet::optim
