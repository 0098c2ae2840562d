#include "nn/sequential.h"

#include <atomic>

#include "nn/activations.h"

namespace probenet::nn {

namespace {
std::atomic<bool> fusion_on{true};
}

void set_layer_fusion(bool on) { fusion_on.store(on); }
bool layer_fusion() { return fusion_on.load(); }

Var Sequential::forward(const Var& x) {
    Var h = x;
    const auto& kids = children();
    for (size_t i = 0; i < kids.size(); ++i) {
        Module& child = *kids[i];
        Module* next = i + 1 < kids.size() ? kids[i + 1].get() : nullptr;
        if (next && child.folds_relu() && child.hook_count() == 0 && dynamic_cast<ReLU*>(next) && layer_fusion()) {
            h = next->run_hooks(child.forward_relu(h));
            ++i;
            continue;
        }
        h = child(h);
    }
    return h;
}

}  // namespace probenet::nn
