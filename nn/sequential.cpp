// Sequential's forward (see sequential.h): the nested layers flattened into steps, each step a layer
// and the nested Sequentials it ends (whose hooks fire after it), then fused where nothing observes
// the intermediate outputs.
#include "nn/sequential.h"

#include <atomic>
#include <typeinfo>
#include <vector>

#include "nn/activations.h"
#include "nn/pooling.h"

namespace probenet::nn {

namespace {

std::atomic<bool> fusion_on{true};

struct Step {
    Module* layer;
    std::vector<Module*> closes;  // Sequentials whose last layer this is, innermost first
};

void flatten(const Module& sequential, std::vector<Step>& steps) {
    for (const auto& child : sequential.children()) {
        const Module& c = *child;
        if (typeid(c) == typeid(Sequential) && !c.children().empty()) {
            flatten(c, steps);
            steps.back().closes.push_back(child.get());
        } else {
            steps.push_back({child.get(), {}});
        }
    }
}

// Whether a hook sees this step's output: the layer's own, or one of a block it ends.
bool observed(const Step& s) {
    if (s.layer->hook_count() > 0) return true;
    for (const Module* m : s.closes)
        if (m->hook_count() > 0) return true;
    return false;
}

// The fused step at steps[i], or none: how many steps it covers and its output.
size_t run_fused(const std::vector<Step>& steps, size_t i, const Var& x, Var& out) {
    const Step& first = steps[i];
    if (!first.layer->folds_relu() || observed(first) || i + 1 >= steps.size() ||
        !dynamic_cast<const ReLU*>(steps[i + 1].layer))
        return 0;
    if (i + 2 < steps.size() && !observed(steps[i + 1]))
        if (const auto* pool = dynamic_cast<const MaxPool2d*>(steps[i + 2].layer)) {
            out = first.layer->forward_relu_maxpool(x, pool->kernel(), pool->stride(), pool->padding());
            return 3;
        }
    out = first.layer->forward_relu(x);
    return 2;
}

}  // namespace

void set_layer_fusion(bool on) { fusion_on.store(on); }
bool layer_fusion() { return fusion_on.load(); }

Var Sequential::forward(const Var& x) {
    std::vector<Step> steps;
    flatten(*this, steps);
    Var h = x;
    for (size_t i = 0; i < steps.size();) {
        Var out;
        const size_t used = layer_fusion() ? run_fused(steps, i, h, out) : 0;
        i += std::max<size_t>(used, 1);
        const Step& last = steps[i - 1];
        h = used ? last.layer->run_hooks(out) : (*last.layer)(h);  // fused: only the last layer's hooks can be set
        for (Module* m : last.closes) h = m->run_hooks(h);
    }
    return h;
}

}  // namespace probenet::nn
