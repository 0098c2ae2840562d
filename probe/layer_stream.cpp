#include "probe/layer_stream.h"

#include <vector>

#include "nn/forward_in_batches.h"
#include "nn/hooks.h"

namespace probenet::probe {

namespace {
// A layer output as host rows (n, d): flattened, copied off the GPU if needed.
Tensor as_rows(const Tensor& output) {
    const int64_t n = output.dim(0);
    return output.reshape({n, n ? output.numel() / n : 0}).to(Device::CPU);
}
}  // namespace

void stream_layers(const char* pass, nn::Module& model, const data::Dataset& dataset, const ProbeConfig& config,
                   int64_t limit, const std::function<void(size_t, const Tensor&, int64_t)>& on_layer,
                   const std::function<void(const Tensor&, int64_t)>& on_logits) {
    int64_t batch_begin = 0;  // the batch the forward hooks are seeing
    size_t hooked = 0, delivered = 0;  // probed modules, and how many have fired in this batch
    std::vector<nn::HookHandle> hooks;
    for (size_t i = 0; i < config.layers.size(); ++i) {
        if (config.layers[i] == "input") continue;
        ++hooked;
        hooks.push_back(model.find_or_throw(config.layers[i]).register_forward_hook(
            [&, i](const nn::Module&, const Tensor& y) {
                on_layer(i, as_rows(y), batch_begin);
                if (!on_logits && ++delivered == hooked) throw nn::StopForward{};
            }));
    }
    nn::forward_in_batches(
        model, limit, config.batch, config.device,
        [&](int64_t begin, int64_t end) {
            batch_begin = begin;
            delivered = 0;
            Tensor x = dataset.batch_images(begin, end);
            for (size_t i = 0; i < config.layers.size(); ++i)
                if (config.layers[i] == "input") on_layer(i, as_rows(x), begin);
            return x;
        },
        [&](const Tensor& x, const Tensor& logits, int64_t begin) {
            if (on_logits) on_logits(logits, begin);
            if (config.progress && limit > config.batch) config.progress(pass, begin + x.dim(0), limit);
        },
        /*run_model=*/on_logits || hooked > 0);
}

}  // namespace probenet::probe
