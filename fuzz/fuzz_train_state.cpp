// Fuzz target: loading a training state (experiments/common/train_state.h) into a small MLP and its
// SGD optimizer, as `--resume` does. Any input must load completely or end in probenet::Error.
#include <cstdint>

#include "experiments/common/train_state.h"
#include "fuzz/fuzz_input_file.h"
#include "nn/models/mlp.h"
#include "optim/sgd.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace probenet;
    const std::string path = fuzz::write_input(data, size);
    Rng rng(1);
    auto model = nn::make_mlp(4, {3}, 2, rng);
    optim::SGD sgd(model->parameters(), optim::SgdOptions{.lr = 0.1f, .momentum = 0.9f});
    const experiments::RunIdentity identity{{"experiment", "fuzz"}};
    try {
        experiments::load_train_state(path, *model, sgd, identity);
    } catch (const Error&) {
    }
    return 0;
}
