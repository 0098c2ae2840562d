// Checkpoints in the safetensors format, readable by numpy or the `safetensors` library:
//   [8 bytes: header length H, little-endian u64][H bytes: JSON header][raw tensor bytes]
//   header: {"<dotted parameter name>": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]},
//            ..., "__metadata__": {"format": "probenet", ...}}
// Offsets are relative to the start of the data block; tensors are little-endian float32, in
// named_parameters() order. Saving writes `path.tmp` and renames it, so a crash never leaves a
// half-written checkpoint under the real name. Loading requires exactly the model's parameter
// names and shapes, and says which differ.
#pragma once

#include <map>
#include <string>

#include "nn/module.h"

namespace probenet::nn {

void save_checkpoint(const Module& model, const std::string& path,
                     const std::map<std::string, std::string>& metadata = {});
// Copies the stored values into the model's parameters (on their current device).
void load_checkpoint(Module& model, const std::string& path);

}  // namespace probenet::nn
