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
// usage: ./experiments/cnn_cifar10 [--corrupt 0.8] [--run 1] [--data data/cifar10] ... (--help)
#include "experiments/common/experiment.h"
#include "nn/models/cnn.h"

int main(int argc, char** argv) {
    using namespace probenet;
    experiments::Protocol protocol;
    protocol.name = "cnn_cifar10";
    protocol.dataset = "cifar10";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_paper_cnn(3, 32, 10, rng); };
    protocol.optimizer = experiments::OptimizerKind::Adam;
    protocol.lr = 2e-4f;
    protocol.batch = 32;
    protocol.target_train_acc = 1.0;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "flatten", "fc1", "fc2", "fc3"};
    protocol.expected = "authors: model test 18.32% at p = 0.8 (74.96% at p = 0)";
    return experiments::run_experiment(protocol, argc, argv);
}
