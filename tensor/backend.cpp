// Device → backend lookup. The CUDA branch exists only in builds configured with PROBENET_CUDA.
#include "tensor/backend.h"

#include "tensor/cpu/cpu_backend.h"
#include "tensor/error.h"
#ifdef PROBENET_WITH_CUDA
#include "tensor/cuda/cuda_backend.h"
#endif

namespace probenet {

Device parse_device(const std::string& name) {
    if (name == "cpu") return Device::CPU;
    if (name == "cuda") return Device::CUDA;
    throw Error("unknown device '" + name + "': use 'cpu' or 'cuda'");
}

bool backend_available(Device device) {
    if (device == Device::CPU) return true;
#ifdef PROBENET_WITH_CUDA
    return cuda_device_present();
#else
    return false;
#endif
}

Backend& backend_for(Device device) {
    if (device == Device::CPU) return cpu_backend();
#ifdef PROBENET_WITH_CUDA
    return cuda_backend();
#else
    throw Error("this build has no CUDA backend: reconfigure with -DPROBENET_CUDA=ON (needs nvcc, cuBLAS, cuDNN) "
                "or run with --device cpu");
#endif
}

}  // namespace probenet
