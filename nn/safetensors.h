// The safetensors file format, for named float32 tensors (https://huggingface.co/docs/safetensors):
//   [8 bytes: header length H, little-endian u64][H bytes: JSON header][raw tensor bytes]
//   header: {"<name>": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...,
//            "__metadata__": {"format": "probenet", "<key>": "<string value>", ...}}
// Offsets are relative to the start of the data block; tensors are little-endian float32, written
// in the order given. Writing goes to `path.tmp`, then a rename, so a crash never leaves a
// half-written file under the real name. Reading validates, before reading any value: the header,
// dtypes, shapes (element counts checked for 64-bit overflow), offsets against the file length
// (compared without wrap-around), and that the tensors tile the data section exactly — no gap, no
// overlap, no two tensors on the same bytes, as the format requires. Values must be finite unless
// allowed. Every error names the file and the tensor.
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
struct SafetensorsReadOptions {
    bool allow_non_finite = false;  // accept NaN/Inf values (refused by default: a diverged model)
};
SafetensorsFile read_safetensors(const std::string& path, const SafetensorsReadOptions& options = {});

}  // namespace probenet::nn
