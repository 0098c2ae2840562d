// The display label of a probed layer, as the paper writes it, from the module's kind and the
// layer's width d (the length of one flattened output row): "input" → "Input(d)"; a Linear, or a
// block whose first child is a Linear (fc1 = Linear + ReLU) → "FC(d)"; Flatten → "Flat(d)"; Conv2d
// (or a block starting with one) → "Conv(d)"; a pooling layer → "Pool(d)"; anything else → its name.
// So a Protocol lists only module names and no main repeats widths as strings.
#pragma once

#include <cstdint>
#include <string>

#include "nn/module.h"

namespace probenet::experiments {

std::string layer_label(nn::Module& model, const std::string& layer, int64_t width);

}  // namespace probenet::experiments
