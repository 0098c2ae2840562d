#include "nn/checkpoint.h"

#include <set>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::nn {

NamedTensors parameter_tensors(const Module& model, const std::string& prefix) {
    NamedTensors out;
    for (const auto& [name, var] : model.named_parameters()) out.emplace_back(prefix + name, var.value());
    return out;
}

void assign_parameters(Module& model, const std::map<std::string, Tensor>& tensors, const std::string& source,
                       const std::string& prefix) {
    std::string problems;
    std::set<std::string> expected;
    const auto params = model.named_parameters();
    for (const auto& [name, var] : params) {
        expected.insert(prefix + name);
        const auto it = tensors.find(prefix + name);
        if (it == tensors.end()) {
            problems += "\n  missing: " + prefix + name + " " + var.value().shape_str();
        } else if (it->second.shape() != var.value().shape()) {
            problems += "\n  " + prefix + name + ": shape " + it->second.shape_str() + " in the file, " +
                        var.value().shape_str() + " in the model";
        }
    }
    for (const auto& [key, value] : tensors)
        if (key.compare(0, prefix.size(), prefix) == 0 && !expected.count(key)) problems += "\n  unexpected: " + key;
    PROBENET_CHECK(problems.empty(), "'", source, "' does not fit this model:", problems);
    for (auto& [name, var] : params) {
        Var target = var;
        ops::copy(tensors.at(prefix + name).to(target.value().device()), target.value());
    }
}

void save_checkpoint(const Module& model, const std::string& path, const std::map<std::string, std::string>& metadata) {
    write_safetensors(path, parameter_tensors(model), metadata);
}

std::map<std::string, std::string> load_checkpoint(Module& model, const std::string& path) {
    SafetensorsFile file = read_safetensors(path);
    assign_parameters(model, file.tensors, path);
    return std::move(file.metadata);
}

}  // namespace probenet::nn
