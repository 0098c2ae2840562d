// See openblas_kernels.h: re-execute with OPENBLAS_CORETYPE when OpenBLAS fell back to old kernels.
#include "tensor/cpu/openblas_kernels.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifdef PROBENET_OPENBLAS
#include <cblas.h>
#include <unistd.h>
#endif

namespace probenet {

void ensure_openblas_kernels(char** argv) {
#ifdef PROBENET_OPENBLAS
    if (std::getenv("OPENBLAS_CORETYPE")) return;
    const char* core = openblas_get_corename();
    // The cores OpenBLAS falls back to when it does not recognise a CPU: none uses AVX2.
    static const char* const kLegacy[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge"};
    bool legacy = false;
    for (const char* name : kLegacy) legacy = legacy || std::strcmp(core, name) == 0;
    if (!legacy) return;
    __builtin_cpu_init();
    const char* want = nullptr;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd")) {
        want = "SkylakeX";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        want = "Haswell";
    }
    if (!want) return;
    std::fprintf(stderr, "probenet: OpenBLAS chose its %s kernels on a CPU with %s; re-running with OPENBLAS_CORETYPE=%s\n",
                 core, std::strcmp(want, "SkylakeX") == 0 ? "AVX-512" : "AVX2", want);
    setenv("OPENBLAS_CORETYPE", want, 1);
    execv("/proc/self/exe", argv);
    std::perror("probenet: re-executing with OPENBLAS_CORETYPE failed; continuing with the slow kernels");
#else
    (void)argv;
#endif
}

}  // namespace probenet
