// Model checkpoints: every parameter of a module, keyed by its dotted name, in a safetensors file
// (nn/safetensors.h), readable by numpy or the `safetensors` library. Loading requires exactly the
// model's parameter names and shapes and lists every name or shape that differs.
// The same two halves serve files that hold more than a model (a training state, with a prefix
// such as "model." in front of each parameter name).
#pragma once

#include <map>
#include <string>

#include "nn/module.h"
#include "nn/safetensors.h"

namespace probenet::nn {

void save_checkpoint(const Module& model, const std::string& path,
                     const std::map<std::string, std::string>& metadata = {});
// Copies the stored values into the model's parameters (on their current device); returns the
// file's metadata (e.g. "epochs" for a checkpoint written by a training run).
std::map<std::string, std::string> load_checkpoint(Module& model, const std::string& path);

// The model's parameters as (prefix + dotted name, value) pairs, in named_parameters() order.
NamedTensors parameter_tensors(const Module& model, const std::string& prefix = "");
// Copies tensors[prefix + name] into each parameter. Among the names that start with `prefix`,
// any missing, unexpected or wrongly shaped one is an error naming `source` and the parameter.
void assign_parameters(Module& model, const std::map<std::string, Tensor>& tensors, const std::string& source,
                       const std::string& prefix = "");

}  // namespace probenet::nn
