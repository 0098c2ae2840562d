#include "nn/hooks.h"

namespace probenet::nn {

int HookList::add(ForwardHook hook) {
    hooks_.emplace_back(next_id_, std::move(hook));
    ++live_;
    return next_id_++;
}

void HookList::remove(int id) {
    for (size_t i = 0; i < hooks_.size(); ++i) {
        if (hooks_[i].first != id || !hooks_[i].second) continue;
        --live_;
        if (running_) {
            hooks_[i].second = nullptr;  // tombstone: the running loop skips it
        } else {
            hooks_.erase(hooks_.begin() + static_cast<std::ptrdiff_t>(i));
        }
        return;
    }
}

void HookList::run(const Module& module, const Tensor& output) {
    ++running_;
    const size_t count = hooks_.size();  // hooks added by a hook wait for the next forward
    for (size_t i = 0; i < count; ++i) {
        if (!hooks_[i].second) continue;
        ForwardHook hook = hooks_[i].second;  // a copy: the hook may remove itself
        hook(module, output);
    }
    if (--running_ == 0)
        std::erase_if(hooks_, [](const auto& entry) { return !entry.second; });
}

HookHandle& HookHandle::operator=(HookHandle&& other) noexcept {
    if (this != &other) {
        remove();
        list_ = std::move(other.list_);
        id_ = other.id_;
        other.id_ = -1;
    }
    return *this;
}

void HookHandle::remove() {
    if (auto list = list_.lock(); list && id_ >= 0) list->remove(id_);
    id_ = -1;
    list_.reset();
}

}  // namespace probenet::nn
