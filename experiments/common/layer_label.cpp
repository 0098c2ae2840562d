#include "experiments/common/layer_label.h"

namespace probenet::experiments {

std::string layer_label(nn::Module& model, const std::string& layer, int64_t width) {
    const std::string w = "(" + std::to_string(width) + ")";
    if (layer == "input") return "Input" + w;
    const nn::Module* m = model.find(layer);
    if (m == nullptr) return layer;
    // A block (Sequential) is named by its first layer: fc1 = Linear + ReLU is an FC layer.
    while (m->type_name() == "Sequential" && !m->children().empty()) m = m->children().front().get();
    const std::string kind = m->type_name();
    if (kind == "Linear") return "FC" + w;
    if (kind == "Flatten") return "Flat" + w;
    if (kind == "Conv2d") return "Conv" + w;
    if (kind == "MaxPool2d" || kind == "AvgPool2d") return "Pool" + w;
    return layer;
}

}  // namespace probenet::experiments
