// mlp_cifar10 — the paper's MLP on CIFAR-10 with corrupted labels, then MASC on every layer.
//
// Protocol (the authors' code):
//   data      CIFAR-10 binary version 50000/10000 (data_batch_1..5.bin in order, test_batch.bin; the
//             user's own copy, --data DIR), C×H×W pixels (u8/255 − 0.5)/0.5 ∈ [−1, 1] per channel,
//             training set in file order; training labels corrupted with numpy seed 42:
//             rand(N) <= p → uniform over 10 classes
//   model     3072 → 128 → 512 → 2048 → 2048 → 10, ReLU, PyTorch default init
//   training  SGD lr 1e-3 momentum 0.9, batch 32, mean cross-entropy; stop when the running train
//             accuracy on the corrupted labels reaches 100 %, or after 500 epochs
//   probed    input, FC(128), FC(512), FC(2048), FC(2048) (each hidden layer after its ReLU)
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   56.37 / 48.62 / 40.35 / 30.55 / 19.69 / 9.81 %.
//
// Registered in experiments/protocols/protocol_registry.cpp; ./experiments/mlp_cifar10 runs it, and
// ./experiments/paper runs it over the grid of corruption degrees and runs.
#include "experiments/protocols/protocol_registry.h"
#include "nn/models/mlp.h"

namespace probenet::experiments {

Protocol mlp_cifar10_protocol() {
    Protocol protocol;
    protocol.name = "mlp_cifar10";
    protocol.dataset = "cifar10";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_mlp(3072, {128, 512, 2048, 2048}, 10, rng); };
    protocol.optimizer = OptimizerKind::SGD;
    protocol.lr = 1e-3f;
    protocol.momentum = 0.9f;
    protocol.batch = 32;
    protocol.target_train_acc = 1.0;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "fc1", "fc2", "fc3", "fc4"};
    protocol.expected = "authors: model test 19.69% at p = 0.8 (56.37% at p = 0)";
    protocol.published.model_test = {0.5637, 0.4862, 0.4035, 0.3055, 0.1969, 0.0981};
    protocol.published.relative_gain = {kUnpublished, 0.099, 0.2442, 0.4697, 0.6475, kUnpublished};  // Table 1
    protocol.cost.epoch_seconds = 20;
    protocol.cost.train_samples = 50000;
    protocol.cost.epochs = {500, 500, 500, 500, 500, 500};
    protocol.cost.basis =
        "guessed: per sample about the MNIST MLP's cost (its wide layers dominate); the 100 % stop rule assumed never to fire before the 500-epoch limit";
    return protocol;
}

}  // namespace probenet::experiments
