#include "tensor/runtime.h"

#include <cblas.h>
#include <omp.h>

#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet {

void set_threads(int threads) {
    PROBENET_CHECK(threads >= 0, "set_threads: thread count must be >= 0 (0 = all cores), got ", threads);
    if (threads == 0) return;
    omp_set_num_threads(threads);
#ifdef PROBENET_OPENBLAS
    openblas_set_num_threads(threads);
#endif
}

std::string runtime_summary(Device device) {
    std::string line = backend_for(Device::CPU).describe();
    if (device != Device::CPU) line += "\n" + backend_for(device).describe();
    return line;
}

}  // namespace probenet
