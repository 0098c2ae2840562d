// Grad mode: whether functions record the graph. NoGradGuard turns recording off for a scope
// (evaluation, probing): results are plain constants and no backward state is kept.
#pragma once

namespace probenet::autograd {

bool grad_enabled();

class NoGradGuard {
public:
    NoGradGuard();
    ~NoGradGuard();
    NoGradGuard(const NoGradGuard&) = delete;
    NoGradGuard& operator=(const NoGradGuard&) = delete;

private:
    bool previous_;
};

}  // namespace probenet::autograd
