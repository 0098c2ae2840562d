// An allocator whose vectors grow without value-initialising their elements (resize leaves them as
// they come from the heap), so that the first touch of a large fresh buffer — a page fault and a
// clear per page, ~2 GB/s on one core of this project's virtual machine, ~5.5 on two — can be spread
// over the threads by the loop that fills it, instead of one thread zero-filling it first. Only for
// trivially constructible T whose every element is written before it is read.
#pragma once

#include <memory>
#include <new>
#include <utility>

namespace probenet {

template <typename T>
struct UninitializedAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = UninitializedAllocator<U>;
    };
    UninitializedAllocator() = default;
    template <typename U>
    UninitializedAllocator(const UninitializedAllocator<U>&) {}
    template <typename U>
    void construct(U* p) { ::new (static_cast<void*>(p)) U; }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) { ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...); }
};

}  // namespace probenet
