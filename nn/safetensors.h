// The safetensors file format, for named float32 tensors (https://huggingface.co/docs/safetensors):
//   [8 bytes: header length H, little-endian u64][H bytes: JSON header][raw tensor bytes]
//   header: {"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...,
//            "__metadata__": {"format": "probenet", "<key>": "<string value>", ...}}
// Offsets are relative to the start of the data block; tensors are little-endian float32, written
// in the order given. Writing goes to `path.tmp`, then a rename, so a crash never leaves a
// half-written file under the real name. Reading validates the header, dtypes, shapes and offsets
// against the file length and names the file and the tensor in every error.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace probenet::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

struct SafetensorsFile {
    std::map<std::string, Tensor> tensors;  // host (CPU) tensors
    std::map<std::string, std::string> metadata;
};

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});
SafetensorsFile read_safetensors(const std::string& path);

}  // namespace probenet::nn
