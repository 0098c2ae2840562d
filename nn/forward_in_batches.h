// forward_in_batches: the one inference loop — a model run over samples [0, count) in batches of
// `batch`, in eval mode (restored afterwards) and without recording gradients.
//
// For each batch [begin, end): x = images(begin, end), an (end − begin, …) float32 tensor on the CPU;
// logits = model(x moved to `device`); then on_batch(x, logits, begin). Forward hooks registered on
// the model's modules fire inside each call, after `images` has been asked for that batch — so a hook
// may read the batch position that `images` last saw. Used for the model's own predictions
// (experiments/common/evaluate.h) and for streaming layer activations to the probes (probe/probe_run.cpp).
//
// Stopping early: a caller that needs some layers' outputs but not the logits lets a hook throw
// StopForward once it has them (the rest of the network is not run), or passes run_model = false when
// it needs only the inputs; on_batch then gets an undefined logits tensor (Tensor::defined() false).
#pragma once

#include <cstdint>
#include <functional>

#include "nn/module.h"

namespace probenet::nn {

struct StopForward {};  // thrown by a forward hook: this batch's forward has produced what is needed

void forward_in_batches(Module& model, int64_t count, int64_t batch, Device device,
                        const std::function<Tensor(int64_t begin, int64_t end)>& images,
                        const std::function<void(const Tensor& x, const Tensor& logits, int64_t begin)>& on_batch,
                        bool run_model = true);

}  // namespace probenet::nn
