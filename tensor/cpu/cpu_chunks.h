// Shared by the CPU convolution kernels: per-thread scratch buffers and the loop that spreads
// chunks of images over OpenMP threads.
//
// Each thread runs whole chunks with single-threaded BLAS calls (OpenBLAS runs single-threaded
// inside a parallel region), which beats threading each small GEMM. Too little work, or a single
// chunk, runs on the calling thread instead (BLAS may then thread its GEMMs): a fork/join costs
// more than it saves on tiny convolutions, and far more when the cores are shared with other jobs.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace probenet::cpu {

// A buffer of at least `numel` floats, 64-byte aligned, owned by the calling thread and reused by
// later calls with the same slot (0–3); contents are undefined. Never shrinks.
float* thread_scratch(int slot, int64_t numel);

struct ChunkPlan {
    int64_t images = 0;     // N
    int64_t per_chunk = 1;  // images per chunk
    int64_t chunks = 1;
    int threads = 1;        // threads that run chunks; 1 = on the calling thread, in order
};

// Chunks of at most `per_chunk` images (also capped so every thread gets some), run in parallel when
// there are at least two and the convolution does at least ~2^20 multiply-adds.
inline ChunkPlan plan_chunks(int64_t images, int64_t per_chunk, int64_t multiply_adds) {
    const int threads = omp_get_max_threads();
    ChunkPlan plan;
    plan.images = images;
    plan.per_chunk = std::clamp<int64_t>(per_chunk, 1, std::max<int64_t>(1, (images + threads - 1) / threads));
    plan.chunks = (images + plan.per_chunk - 1) / plan.per_chunk;
    const bool worth_it = plan.chunks >= 2 && multiply_adds >= (int64_t(1) << 20);
    plan.threads = worth_it ? static_cast<int>(std::min<int64_t>(threads, plan.chunks)) : 1;
    return plan;
}

// Calls body(first_image, image_count, thread) once per chunk; thread is in [0, plan.threads).
// Chunks are assigned statically, so the same plan always gives each thread the same images.
template <typename Body>
void for_each_chunk(const ChunkPlan& plan, Body&& body) {
    auto run = [&](int64_t chunk, int thread) {
        const int64_t n0 = chunk * plan.per_chunk;
        body(n0, std::min(plan.per_chunk, plan.images - n0), thread);
    };
    if (plan.threads == 1) {
        for (int64_t c = 0; c < plan.chunks; ++c) run(c, 0);
        return;
    }
#pragma omp parallel num_threads(plan.threads)
    {
        const int thread = omp_get_thread_num();
#pragma omp for schedule(static)
        for (int64_t c = 0; c < plan.chunks; ++c) run(c, thread);
    }
}

}  // namespace probenet::cpu
