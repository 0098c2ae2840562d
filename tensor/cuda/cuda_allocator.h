// CachingDeviceAllocator: GPU memory for tensors without a cudaMalloc per op.
//
// A training step allocates the same activation and gradient shapes every time; cudaMalloc and
// cudaFree synchronise the device and cost tens of microseconds each, more than most kernels of a
// small step. So freed blocks are kept in free lists keyed by a rounded size (the bucket) and handed
// out again: after the first step, a steady training loop calls cudaMalloc no more.
//   bucket(bytes) = 512 B minimum, else bytes rounded up to a multiple of max(512, 2^⌊log2 bytes⌋ / 4)
// so a block serves requests at most 25% smaller than itself, and nearby sizes share a list.
// When cudaMalloc runs out of memory, every cached block is released and the call retried once.
//
// Reuse without waiting is safe because the backend issues all work on one stream: a block freed
// while a kernel still reads it is only written again by work queued after that kernel.
// Cached blocks are returned to the driver by release_cached() and at program exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace probenet::cuda_detail {

struct AllocatorStats {
    int64_t device_allocations = 0;  // cudaMalloc calls that succeeded, ever
    int64_t bytes_in_use = 0;        // in live blocks (bucket sizes)
    int64_t peak_bytes_in_use = 0;
    int64_t bytes_cached = 0;        // in free lists
};

class CachingDeviceAllocator {
public:
    CachingDeviceAllocator() = default;
    ~CachingDeviceAllocator();  // frees cached blocks; never throws
    CachingDeviceAllocator(const CachingDeviceAllocator&) = delete;
    CachingDeviceAllocator& operator=(const CachingDeviceAllocator&) = delete;

    // nullptr for 0 bytes; throws probenet::Error (with the cache's state) when the GPU is full.
    void* allocate(size_t bytes);
    // `bytes` must be what was asked of allocate for `ptr`.
    void deallocate(void* ptr, size_t bytes);
    // Returns every cached block to the driver.
    void release_cached();
    // From here on, deallocate frees at once (used at program exit, after the cache is released).
    void shut_down();
    AllocatorStats stats() const;

    static size_t bucket(size_t bytes);

private:
    void release_cached_locked();

    mutable std::mutex mutex_;
    std::unordered_map<size_t, std::vector<void*>> free_;  // bucket size → cached blocks
    AllocatorStats stats_;
    bool shut_down_ = false;
};

// A device buffer that grows on demand and is reused between calls (labels, small results).
class ScratchBuffer {
public:
    explicit ScratchBuffer(CachingDeviceAllocator& allocator) : allocator_(allocator) {}
    ~ScratchBuffer() { allocator_.deallocate(ptr_, bytes_); }
    ScratchBuffer(const ScratchBuffer&) = delete;
    ScratchBuffer& operator=(const ScratchBuffer&) = delete;

    // At least `bytes` of device memory; the contents are not kept when it grows.
    void* get(size_t bytes);

private:
    CachingDeviceAllocator& allocator_;
    void* ptr_ = nullptr;
    size_t bytes_ = 0;
};

}  // namespace probenet::cuda_detail
