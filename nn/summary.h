// A printed table of a model: every module's dotted name, type, description, output shape (from
// one no-grad forward of a single zero sample through forward hooks) and parameter count.
#pragma once

#include <string>

#include "nn/module.h"

namespace probenet::nn {

// `sample_shape` is one input without the batch axis, e.g. (1, 28, 28).
std::string summary(Module& model, const Shape& sample_shape);

}  // namespace probenet::nn
