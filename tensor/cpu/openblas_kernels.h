// Making sure OpenBLAS runs the kernels this CPU can run.
//
// Debian 12's OpenBLAS 0.3.21 picks its kernels at load time (DYNAMIC_ARCH) from the CPU model, and
// does not know recent Intel server parts (Sapphire/Emerald Rapids, cpuid family 6 model 143/207):
// it falls back to its Prescott (SSE3) kernels, 3–5× slower at sgemm than its SkylakeX (AVX-512)
// ones. The choice can only be overridden before the library initialises, through the environment
// variable OPENBLAS_CORETYPE, so a program that finds the fallback re-executes itself with it set.
#pragma once

namespace probenet {

// Call first thing in main. When OpenBLAS chose a pre-AVX2 core on a CPU with AVX-512 (→ SkylakeX)
// or AVX2+FMA (→ Haswell) and OPENBLAS_CORETYPE is unset, prints one line to stderr saying so and
// re-executes /proc/self/exe with the variable set (it does not return then). Otherwise does nothing;
// a user-set OPENBLAS_CORETYPE is always respected. No-op in builds without OpenBLAS.
void ensure_openblas_kernels(char** argv);

}  // namespace probenet
