// The probed layers' rows, streamed from forwards of a model over a dataset, batch by batch — the
// one way the probe passes (probe/probe_run.cpp) and their pre-flight check (probe/probe_check.cpp)
// see a network. Rows are host float32 (n, d), d the layer's flattened width.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "data/dataset.h"
#include "nn/module.h"
#include "probe/probe_run.h"
#include "tensor/tensor.h"

namespace probenet::probe {

// Runs samples [0, limit) of `dataset` through `model` batch by batch (nn/forward_in_batches.h);
// `on_layer(layer index, rows, begin)` receives each probed layer's rows for samples [begin, begin + n)
// — the "input" layer's as the images are drawn, the others from forward hooks — and
// `on_logits(logits, begin)` the model output. Without on_logits (the fit's pass), each forward stops
// as soon as every probed layer has its rows — probing "input" alone runs no network at all, "fc2"
// only the layers up to it. After each batch, config.progress (if set) hears `pass`, the rows done and
// `limit` (passes of more than one batch).
void stream_layers(const char* pass, nn::Module& model, const data::Dataset& dataset, const ProbeConfig& config,
                   int64_t limit, const std::function<void(size_t, const Tensor&, int64_t)>& on_layer,
                   const std::function<void(const Tensor&, int64_t)>& on_logits);

}  // namespace probenet::probe
