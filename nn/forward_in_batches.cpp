// forward_in_batches: see forward_in_batches.h.
#include "nn/forward_in_batches.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "tensor/error.h"

namespace probenet::nn {

void forward_in_batches(Module& model, int64_t count, int64_t batch, Device device,
                        const std::function<Tensor(int64_t begin, int64_t end)>& images,
                        const std::function<void(const Tensor& x, const Tensor& logits, int64_t begin)>& on_batch,
                        bool run_model) {
    PROBENET_CHECK(batch > 0, "forward_in_batches: batch size ", batch, " must be positive");
    autograd::NoGradGuard no_grad;
    const bool was_training = model.training();
    model.eval();
    try {
        for (int64_t begin = 0; begin < count; begin += batch) {
            const int64_t end = std::min(count, begin + batch);
            const Tensor x = images(begin, end);
            Tensor logits;
            if (run_model) {
                try {
                    logits = model(autograd::Var(x.to(device))).value();
                } catch (const StopForward&) {  // a hook has what it needed; logits stay undefined
                }
            }
            on_batch(x, logits, begin);
        }
    } catch (...) {
        model.train(was_training);
        throw;
    }
    model.train(was_training);
}

}  // namespace probenet::nn
