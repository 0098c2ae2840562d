// cnn_mnist — the paper's CNN on MNIST with corrupted labels, then MASC on every layer.
//
// Protocol (the authors' code, docs/protocol.md):
//   data      MNIST 60000/10000, pixels (u8/255 − 0.5)/0.5 ∈ [−1, 1], training set in file order;
//             training labels corrupted with numpy seed 42: rand(N) <= p → uniform over 10 classes
//   model     conv3×3 16,16 → pool → 32,32 → pool → 64,64 → pool, ReLU after each conv; flatten 576;
//             FC 250 ×3 + ReLU; Linear(250, 10, no bias); PyTorch default init
//   training  Adam lr 2e-4, batch 128, mean cross-entropy; stop when the running train accuracy on
//             the corrupted labels reaches 99.9 %, or after 500 epochs
//   probed    input, Flat(576), FC(250) ×3
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   99.15 / 87.52 / 69.44 / 47.11 / 28.30 / 9.85 %.
//
// Registered in experiments/protocols/protocol_registry.cpp; ./experiments/cnn_mnist runs it, and
// ./experiments/paper runs it over the grid of corruption degrees and runs.
#include "experiments/protocols/protocol_registry.h"
#include "nn/models/cnn.h"

namespace probenet::experiments {

Protocol cnn_mnist_protocol() {
    Protocol protocol;
    protocol.name = "cnn_mnist";
    protocol.dataset = "mnist";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_paper_cnn(1, 28, 10, rng); };
    protocol.optimizer = OptimizerKind::Adam;
    protocol.lr = 2e-4f;
    protocol.batch = 128;
    protocol.target_train_acc = 0.999;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "flatten", "fc1", "fc2", "fc3"};
    protocol.expected = "authors: model test 28.30% at p = 0.8 (99.15% at p = 0)";
    protocol.published.model_test = {0.9915, 0.8752, 0.6944, 0.4711, 0.283, 0.0985};
    protocol.published.relative_gain = {kUnpublished, 0.0981, 0.3703, 0.9869, 2.0106, kUnpublished};  // Table 1
    protocol.cost.epoch_seconds = 18;
    protocol.cost.train_samples = 60000;
    protocol.cost.epochs = {36, 70, 100, 130, 160, 250};
    protocol.cost.basis =
        "18 s per epoch as measured for the same CNN on Fashion-MNIST; the stop rule after 34–36 epochs at p = 0 (docs/results.md); p > 0 guessed";
    return protocol;
}

}  // namespace probenet::experiments
