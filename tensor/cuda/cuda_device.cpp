// Device probe and description (see cuda_device.h).
#include "tensor/cuda/cuda_device.h"

#include <cuda_runtime_api.h>

#include <cstdio>

#include "tensor/cuda/cuda_check.h"
#include "tensor/error.h"

namespace probenet::cuda_detail {

namespace {

std::string version_string(int v) { return detail::concat(v / 1000, ".", (v % 1000) / 10); }

DeviceProbe probe_once() {
    DeviceProbe p;
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        cudaGetLastError();
        p.reason = detail::concat(cudaGetErrorName(status), ": ", cudaGetErrorString(status));
        return p;
    }
    if (count == 0) {
        p.reason = "the CUDA runtime reports no GPU";
        return p;
    }
    if (cudaGetDevice(&p.device) != cudaSuccess) {
        cudaGetLastError();
        p.device = 0;
    }
    p.present = true;
    return p;
}

}  // namespace

const DeviceProbe& device_probe() {
    static const DeviceProbe probe = probe_once();
    return probe;
}

std::string describe_device(int device) {
    cudaDeviceProp prop{};
    CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
    int driver = 0, runtime = 0;
    CUDA_CHECK(cudaDriverGetVersion(&driver));
    CUDA_CHECK(cudaRuntimeGetVersion(&runtime));
    char memory[32];
    std::snprintf(memory, sizeof memory, "%.1f GiB", static_cast<double>(prop.totalGlobalMem) / (1 << 30));
    return detail::concat(prop.name, " (device ", device, "), compute capability ", prop.major, ".", prop.minor, ", ",
                          prop.multiProcessorCount, " SMs, ", memory, "; driver CUDA ", version_string(driver),
                          ", runtime ", version_string(runtime));
}

}  // namespace probenet::cuda_detail
