// alexnet_cifar100 — the paper's AlexNet on CIFAR-100 with corrupted labels, then MASC per layer.
//
// Protocol (the authors' code):
//   data      CIFAR-100 binary version 50000/10000 (train.bin, test.bin; fine labels; the user's own
//             copy, --data DIR), C×H×W pixels (u8/255 − 0.5)/0.5 ∈ [−1, 1] per channel, training set
//             in file order; training labels corrupted with numpy seed 42: rand(N) <= p → uniform
//             over 100 classes
//   model     AlexNet, CIFAR-100 variant on 3×32×32: conv(3→64, k3 s2 p1), maxpool(3, 2),
//             conv(64→192, k3 p1), maxpool(3, 2), conv 192→384, 384→256, 256→256 (k3 p1),
//             maxpool(3, 2) → 256×1×1; flatten 256; FC 4096 ×2; Linear→100; ReLU after every conv
//             and hidden FC; no dropout; PyTorch default init (20,495,268 parameters)
//   training  Adam lr 1e-4, batch 128, mean cross-entropy; stop when the running train accuracy on
//             the corrupted labels reaches 99.1 %, or after 500 epochs
//   probed    Flat(256), FC(4096) ×2
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   36.75 / 28.44 / 20.53 / 9.65 / 3.43 / 0.96 %; best-layer MASC test accuracy with
//   corrupted-label subspaces at p = 0.2 / 0.4 / 0.6 / 0.8: .380 / .314 / .159 / .050.
//
// Registered in experiments/protocols/protocol_registry.cpp; ./experiments/alexnet_cifar100 runs it, and
// ./experiments/paper runs it over the grid of corruption degrees and runs.
#include "experiments/protocols/protocol_registry.h"
#include "nn/models/alexnet.h"

namespace probenet::experiments {

Protocol alexnet_cifar100_protocol() {
    Protocol protocol;
    protocol.name = "alexnet_cifar100";
    protocol.dataset = "cifar100";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_alexnet_cifar100(rng); };
    protocol.optimizer = OptimizerKind::Adam;
    protocol.lr = 1e-4f;
    protocol.batch = 128;
    protocol.target_train_acc = 0.991;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"flatten", "fc1", "fc2"};
    protocol.expected = "authors: model test 3.43% at p = 0.8 (36.75% at p = 0); best-layer MASC .050 at p = 0.8";
    protocol.published.model_test = {0.3675, 0.2844, 0.2053, 0.0965, 0.0343, 0.0096};
    protocol.published.masc_corrupted = {kUnpublished, 0.38, 0.314, 0.159, 0.05, kUnpublished};
    protocol.published.relative_gain = {kUnpublished, 0.3358, 0.531, 0.6486, 0.45, kUnpublished};  // Table 1
    protocol.cost.epoch_seconds = 600;
    protocol.cost.train_samples = 50000;
    protocol.cost.epochs = {150, 150, 150, 150, 150, 150};
    protocol.cost.basis =
        "guessed: about 1.5 s per batch of 128 on 2 cores, 150 epochs at every p; a GPU cuts this by two orders of magnitude";
    return protocol;
}

}  // namespace probenet::experiments
