// Per-thread scratch buffers for the CPU convolution kernels (see cpu_chunks.h).
#include "tensor/cpu/cpu_chunks.h"

#include <cstdlib>

#include "tensor/error.h"

namespace probenet::cpu {

namespace {

// Grows on demand and is freed when its thread ends; thread_local, so concurrent callers never share.
class ScratchBuffer {
public:
    ScratchBuffer() = default;
    ScratchBuffer(const ScratchBuffer&) = delete;
    ScratchBuffer& operator=(const ScratchBuffer&) = delete;
    ~ScratchBuffer() { std::free(data_); }

    float* get(int64_t numel) {
        if (numel > capacity_) {
            std::free(data_);
            const size_t bytes = (static_cast<size_t>(numel) * sizeof(float) + 63) / 64 * 64;
            data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
            capacity_ = data_ ? numel : 0;
            PROBENET_CHECK(data_ != nullptr, "conv2d: out of memory allocating a ", bytes, "-byte workspace");
        }
        return data_;
    }

private:
    float* data_ = nullptr;
    int64_t capacity_ = 0;
};

}  // namespace

float* thread_scratch(int slot, int64_t numel) {
    thread_local ScratchBuffer buffers[kScratchSlots];
    PROBENET_CHECK(slot >= 0 && slot < kScratchSlots, "thread_scratch: slot ", slot, " out of range [0, ", kScratchSlots, ")");
    return buffers[slot].get(numel);
}

}  // namespace probenet::cpu
