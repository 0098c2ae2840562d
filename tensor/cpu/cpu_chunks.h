// Shared by the CPU convolution kernels: per-thread scratch buffers and the loop that spreads
// chunks of images over OpenMP threads.
//
// Each thread runs whole chunks with single-threaded BLAS calls (OpenBLAS runs single-threaded
// inside a parallel region), which beats threading each small GEMM. Too little work, or a single
// chunk, runs on the calling thread instead (BLAS may then thread its GEMMs): a fork/join costs
// more than it saves on tiny convolutions, and far more when the cores are shared with other jobs.
//
// Chunks are handed out dynamically when the result cannot depend on who runs what (each chunk
// writes its own outputs, or reductions keep one partial sum per chunk), so a thread slowed down by
// another process on its core does not hold the others up; reductions too large for per-chunk
// partials use one per thread and a static assignment. Partials are always added in a fixed order:
// the same inputs give the same bits whatever the scheduling.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace probenet::cpu {

// A buffer of at least `numel` floats, 64-byte aligned, owned by the calling thread and reused by
// later calls with the same slot (0 to kScratchSlots − 1); contents are undefined. Never shrinks.
// Slots in use: 0–2 the convolution kernels' own buffers, 3 the masked dy of a folded ReLU's backward
// (cpu_conv3x3.cpp), 4–5 the Winograd kernels' transformed tiles (cpu_conv3x3_winograd.cpp).
constexpr int kScratchSlots = 6;
float* thread_scratch(int slot, int64_t numel);

struct ChunkPlan {
    int64_t images = 0;     // N
    int64_t per_chunk = 1;  // images per chunk
    int64_t chunks = 1;
    int threads = 1;        // threads that run chunks; 1 = on the calling thread, in order
    bool dynamic = true;    // chunks handed out on demand (false: chunk c always runs on thread c mod threads)
};

// Partial sums of a reduction over chunks are kept per chunk when they fit in this many floats.
constexpr int64_t kMaxPartialFloats = int64_t(1) << 20;

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

// For a reduction with `slot_floats` floats of partial sums per slot: returns how many slots to
// allocate (one per chunk, or one per thread with a static assignment when that would be too much).
inline int64_t plan_partials(ChunkPlan& plan, int64_t slot_floats) {
    plan.dynamic = plan.chunks * slot_floats <= kMaxPartialFloats;
    return plan.dynamic ? plan.chunks : plan.threads;
}

// partial[0, size) = Σ_k partial[k·size, (k + 1)·size) for k in slot order (so the bits do not depend
// on how many threads add), element by element in parallel.
inline void sum_partials(float* partial, int64_t slots, int64_t size) {
#pragma omp parallel for simd if (slots * size > (int64_t(1) << 16))
    for (int64_t e = 0; e < size; ++e) {
        float s = partial[e];
        for (int64_t k = 1; k < slots; ++k) s += partial[k * size + e];
        partial[e] = s;
    }
}

// Calls body(first_image, image_count, slot) once per chunk, where slot is the chunk's partial-sum
// slot: the chunk index for a dynamic plan, the thread index for a static one.
template <typename Body>
void for_each_chunk(const ChunkPlan& plan, Body&& body) {
    auto run = [&](int64_t chunk, int thread) {
        const int64_t n0 = chunk * plan.per_chunk;
        body(n0, std::min(plan.per_chunk, plan.images - n0), plan.dynamic ? chunk : int64_t(thread));
    };
    if (plan.threads == 1) {
        for (int64_t c = 0; c < plan.chunks; ++c) run(c, 0);
        return;
    }
#pragma omp parallel num_threads(plan.threads)
    {
        const int thread = omp_get_thread_num();
        if (plan.dynamic) {
#pragma omp for schedule(dynamic, 1)
            for (int64_t c = 0; c < plan.chunks; ++c) run(c, thread);
        } else {
#pragma omp for schedule(static)
            for (int64_t c = 0; c < plan.chunks; ++c) run(c, thread);
        }
    }
}

}  // namespace probenet::cpu
