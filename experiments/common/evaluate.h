// The model's own predictions over a dataset: no-grad, eval mode, in batches, any device.
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "nn/module.h"

namespace probenet::experiments {

// argmax of the logits for every sample, in dataset order.
std::vector<int32_t> predict(nn::Module& model, const data::Dataset& dataset, Device device, int64_t batch = 1000);
// Fraction of predictions equal to the labels.
double accuracy(const std::vector<int32_t>& predictions, const std::vector<int32_t>& labels);

}  // namespace probenet::experiments
