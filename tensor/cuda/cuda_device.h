// Probing for a CUDA device and describing it. The probe runs once and never throws: no driver
// (this machine in CI), a driver older than the runtime, or no GPU all read as "not present" with
// the CUDA runtime's own words as the reason.
#pragma once

#include <string>

namespace probenet::cuda_detail {

struct DeviceProbe {
    bool present = false;
    int device = 0;          // the device the backend uses (the runtime's current one, 0 by default)
    std::string reason;      // why not present
};

const DeviceProbe& device_probe();

// "NVIDIA H100 80GB HBM3, compute capability 9.0, 132 SMs, 79.2 GiB; driver CUDA 13.0, runtime 13.0"
std::string describe_device(int device);

}  // namespace probenet::cuda_detail
