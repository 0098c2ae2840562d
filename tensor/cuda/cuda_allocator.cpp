// The caching device allocator (see cuda_allocator.h for the bucket rule and why reuse is safe).
#include "tensor/cuda/cuda_allocator.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <bit>

#include "tensor/cuda/cuda_check.h"
#include "tensor/error.h"

namespace probenet::cuda_detail {

size_t CachingDeviceAllocator::bucket(size_t bytes) {
    constexpr size_t kMin = 512;
    if (bytes <= kMin) return kMin;
    const size_t step = std::max(kMin, std::bit_floor(bytes) / 4);
    return (bytes + step - 1) / step * step;
}

CachingDeviceAllocator::~CachingDeviceAllocator() {
    // At exit the CUDA runtime may already be unloading; there is nobody left to report to.
    for (auto& [size, blocks] : free_)
        for (void* p : blocks) cudaFree(p);
}

void* CachingDeviceAllocator::allocate(size_t bytes) {
    if (bytes == 0) return nullptr;
    const size_t size = bucket(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.find(size);
    void* p = nullptr;
    if (it != free_.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= static_cast<int64_t>(size);
    } else {
        cudaError_t status = cudaMalloc(&p, size);
        if (status == cudaErrorMemoryAllocation && stats_.bytes_cached > 0) {
            cudaGetLastError();  // clear it, give the cache back to the driver, try once more
            release_cached_locked();
            status = cudaMalloc(&p, size);
        }
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            size_t free_bytes = 0, total_bytes = 0;
            cudaMemGetInfo(&free_bytes, &total_bytes);
            throw Error(detail::concat("CUDA allocator: out of GPU memory allocating ", size, " bytes (",
                                       stats_.bytes_in_use, " bytes in use by tensors, ", free_bytes, " of ",
                                       total_bytes, " free on the device): use a smaller batch or model"));
        }
        CUDA_CHECK(status);
        ++stats_.device_allocations;
    }
    stats_.bytes_in_use += static_cast<int64_t>(size);
    stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
    return p;
}

void CachingDeviceAllocator::deallocate(void* ptr, size_t bytes) {
    if (!ptr) return;
    const size_t size = bucket(bytes);
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.bytes_in_use -= static_cast<int64_t>(size);
    if (shut_down_) {
        cudaFree(ptr);  // after exit clean-up: errors (runtime unloading) have nobody to go to
        return;
    }
    free_[size].push_back(ptr);
    stats_.bytes_cached += static_cast<int64_t>(size);
}

void CachingDeviceAllocator::release_cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_cached_locked();
}

void CachingDeviceAllocator::release_cached_locked() {
    for (auto& [size, blocks] : free_) {
        while (!blocks.empty()) {
            void* p = blocks.back();
            blocks.pop_back();
            stats_.bytes_cached -= static_cast<int64_t>(size);
            CUDA_CHECK(cudaFree(p));
        }
    }
    free_.clear();
}

void CachingDeviceAllocator::shut_down() {
    std::lock_guard<std::mutex> lock(mutex_);
    shut_down_ = true;
    for (auto& [size, blocks] : free_)
        for (void* p : blocks) cudaFree(p);
    free_.clear();
    stats_.bytes_cached = 0;
}

AllocatorStats CachingDeviceAllocator::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

void* ScratchBuffer::get(size_t bytes) {
    if (bytes > bytes_) {
        allocator_.deallocate(ptr_, bytes_);
        ptr_ = nullptr, bytes_ = 0;
        const size_t size = CachingDeviceAllocator::bucket(bytes);
        ptr_ = allocator_.allocate(size);
        bytes_ = size;
    }
    return ptr_;
}

}  // namespace probenet::cuda_detail
