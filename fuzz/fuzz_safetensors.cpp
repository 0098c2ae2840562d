// Fuzz target: the safetensors reader (nn/safetensors.h) that checkpoints and training states go
// through. Any input must load into tensors that tile the data section with finite values, or end in
// probenet::Error.
#include <cmath>
#include <cstdint>

#include "fuzz/fuzz_input_file.h"
#include "nn/safetensors.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = probenet::fuzz::write_input(data, size);
    try {
        const probenet::nn::SafetensorsFile f = probenet::nn::read_safetensors(path);
        uint64_t bytes = 0;
        for (const auto& [name, t] : f.tensors) {
            bytes += static_cast<uint64_t>(t.numel()) * 4;
            for (float v : t.to_vector())
                if (!std::isfinite(v)) __builtin_trap();  // refused by default
        }
        if (bytes > size) __builtin_trap();  // a tensor read from outside the file
    } catch (const probenet::Error&) {
    }
    return 0;
}
