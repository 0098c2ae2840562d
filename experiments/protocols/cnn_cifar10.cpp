// cnn_cifar10 — the paper's CNN on CIFAR-10 with corrupted labels, then MASC on every layer.
//
// Protocol (the authors' code):
//   data      CIFAR-10 binary version 50000/10000 (data_batch_1..5.bin in order, test_batch.bin; the
//             user's own copy, --data DIR), C×H×W pixels (u8/255 − 0.5)/0.5 ∈ [−1, 1] per channel,
//             training set in file order; training labels corrupted with numpy seed 42:
//             rand(N) <= p → uniform over 10 classes
//   model     on 3×32×32: conv3×3 pad 1 16,16 → pool → 32,32 → pool → 64,64 → pool, ReLU after each
//             conv; flatten 1024; FC 250 ×3 + ReLU; Linear(250, 10, no bias); PyTorch default init
//   training  Adam lr 2e-4, batch 32, mean cross-entropy; stop when the running train accuracy on
//             the corrupted labels reaches 100 %, or after 500 epochs
//   probed    input, Flat(1024), FC(250) ×3
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   74.96 / 60.48 / 46.15 / 30.96 / 18.32 / 9.89 %.
//
// Registered in experiments/protocols/protocol_registry.cpp; ./experiments/cnn_cifar10 runs it, and
// ./experiments/paper runs it over the grid of corruption degrees and runs.
#include "experiments/protocols/protocol_registry.h"
#include "nn/models/cnn.h"

namespace probenet::experiments {

Protocol cnn_cifar10_protocol() {
    Protocol protocol;
    protocol.name = "cnn_cifar10";
    protocol.dataset = "cifar10";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_paper_cnn(3, 32, 10, rng); };
    protocol.optimizer = OptimizerKind::Adam;
    protocol.lr = 2e-4f;
    protocol.batch = 32;
    protocol.target_train_acc = 1.0;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "flatten", "fc1", "fc2", "fc3"};
    protocol.expected = "authors: model test 18.32% at p = 0.8 (74.96% at p = 0)";
    protocol.published.model_test = {0.7496, 0.6048, 0.4615, 0.3096, 0.1832, 0.0989};
    protocol.published.relative_gain = {kUnpublished, 0.0229, 0.0626, 0.2703, 0.6017, kUnpublished};  // Table 1
    protocol.cost.epoch_seconds = 45;
    protocol.cost.train_samples = 50000;
    protocol.cost.epochs = {500, 500, 500, 500, 500, 500};
    protocol.cost.basis =
        "guessed: the MNIST CNN's cost × 1.3 for 32×32×3 inputs, × 2 for batch 32; the 100 % stop rule assumed never to fire before the 500-epoch limit";
    return protocol;
}

}  // namespace probenet::experiments
