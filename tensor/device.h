// Device: where a tensor's storage lives. CPU always exists; CUDA exists when the backend is built.
#pragma once

#include <string>

namespace probenet {

enum class Device { CPU, CUDA };

inline const char* device_name(Device d) { return d == Device::CPU ? "cpu" : "cuda"; }

// Parses "cpu" or "cuda"; throws probenet::Error naming the accepted values otherwise.
Device parse_device(const std::string& name);

}  // namespace probenet
