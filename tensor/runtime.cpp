#include "tensor/runtime.h"

#if defined(__x86_64__) || defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include <cblas.h>
#include <omp.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet {

void choose_blas_kernels(char** argv) {
#ifdef PROBENET_OPENBLAS
    if (std::getenv("OPENBLAS_CORETYPE")) return;
    std::string core = openblas_get_corename();
    for (char& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (core != "prescott") return;  // OpenBLAS recognised the CPU
    const char* target = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                         : __builtin_cpu_supports("avx2")  ? "Haswell"
                                                           : nullptr;
    if (!target) return;
    std::fprintf(stderr, "probenet: OpenBLAS fell back to its generic 'Prescott' kernels on this CPU; "
                         "re-running with OPENBLAS_CORETYPE=%s (set OPENBLAS_CORETYPE yourself to override)\n", target);
    setenv("OPENBLAS_CORETYPE", target, 1);
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "probenet: re-exec failed; continuing with the generic kernels\n");
#else
    (void)argv;
#endif
}

void set_threads(int threads) {
    PROBENET_CHECK(threads >= 0, "set_threads: thread count must be >= 0 (0 = all cores), got ", threads);
    if (threads == 0) return;
    omp_set_num_threads(threads);
#ifdef PROBENET_OPENBLAS
    openblas_set_num_threads(threads);
#endif
}

bool set_flush_denormals(bool flush) {
#if defined(__x86_64__) || defined(__SSE2__)
    constexpr unsigned kFtzDaz = 0x8040;  // MXCSR bit 15 flush-to-zero, bit 6 denormals-are-zero
    const auto apply = [flush] { _mm_setcsr(flush ? (_mm_getcsr() | kFtzDaz) : (_mm_getcsr() & ~kFtzDaz)); };
    apply();
#pragma omp parallel num_threads(omp_get_max_threads())
    apply();
    return true;
#else
    (void)flush;
    return false;
#endif
}

std::string runtime_summary(Device device) {
    std::string line = backend_for(Device::CPU).describe();
    if (device != Device::CPU) line += "\n" + backend_for(device).describe();
    return line;
}

}  // namespace probenet
