// Forward hooks: callbacks that observe a module's output after each forward.
//
// A hook receives the module and its output as a read-only Tensor. Layers never modify an output
// after returning it (no in-place ops on activations in probenet), so a hook may keep the Tensor
// (sharing storage) without copying. Hooks run in registration order; a hook registered or
// removed while hooks are running takes effect from the next forward. With no hooks registered a
// forward pays one empty() check. Registration returns an RAII HookHandle: it removes the hook
// when destroyed or on remove() (idempotent), and is safe to outlive its module.
#pragma once

#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace probenet::nn {

class Module;
using ForwardHook = std::function<void(const Module& module, const Tensor& output)>;

// The hooks of one module. Removal while running leaves a tombstone, compacted afterwards.
class HookList {
public:
    int add(ForwardHook hook);
    void remove(int id);
    void run(const Module& module, const Tensor& output);
    bool empty() const { return live_ == 0; }
    size_t size() const { return static_cast<size_t>(live_); }

private:
    std::vector<std::pair<int, ForwardHook>> hooks_;
    int next_id_ = 0;
    int live_ = 0;
    int running_ = 0;
};

class HookHandle {
public:
    HookHandle() = default;
    HookHandle(std::weak_ptr<HookList> list, int id) : list_(std::move(list)), id_(id) {}
    HookHandle(HookHandle&& other) noexcept { *this = std::move(other); }
    HookHandle& operator=(HookHandle&& other) noexcept;
    HookHandle(const HookHandle&) = delete;
    HookHandle& operator=(const HookHandle&) = delete;
    ~HookHandle() { remove(); }

    void remove();  // idempotent; a no-op once the module is gone
    bool active() const { return !list_.expired() && id_ >= 0; }

private:
    std::weak_ptr<HookList> list_;
    int id_ = -1;
};

}  // namespace probenet::nn
