// alexnet_tiny_imagenet — the paper's AlexNet on Tiny ImageNet with corrupted labels, then MASC per layer.
//
// Protocol (the authors' code):
//   data      Tiny ImageNet 100000/10000 in its distributed layout (train/<wnid>/images/*.JPEG;
//             val/images/*.JPEG labelled by val/val_annotations.txt, used as the test set; the user's
//             own copy, --data DIR); classes sorted by wnid, files by name within a class (torchvision
//             ImageFolder's order; val by class, then name); pixels u8/255 ∈ [0, 1], no normalisation;
//             training set in file order; training labels corrupted with numpy seed 42, and only
//             when p > 0: rand(N) < p → uniform over 200 classes
//   model     AlexNet, Tiny ImageNet variant on 3×64×64: conv(3→64, k11 s4 p2), maxpool(3, 2),
//             conv(64→192, k5 p2), maxpool(3, 2), conv 192→384, 384→256, 256→256 (k3 p1),
//             maxpool(3, 2) → 256×1×1; flatten 256; FC 4096 ×2; Linear→200; ReLU after every conv
//             and hidden FC; no dropout; PyTorch default init (21,123,080 parameters)
//   training  Adam lr 1e-4, batch 500, mean cross-entropy; stop when the running train accuracy on
//             the corrupted labels reaches 99.9 %, or after 500 epochs
//   probed    Flat(256), FC(4096) ×2
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   15.89 / 9.75 / 5.45 / 2.02 / 0.73 / 0.44 %.
//
// Registered in experiments/protocols/protocol_registry.cpp; ./experiments/alexnet_tiny_imagenet runs it, and
// ./experiments/paper runs it over the grid of corruption degrees and runs.
#include "experiments/protocols/protocol_registry.h"
#include "nn/models/alexnet.h"

namespace probenet::experiments {

Protocol alexnet_tiny_imagenet_protocol() {
    Protocol protocol;
    protocol.name = "alexnet_tiny_imagenet";
    protocol.dataset = "tiny-imagenet";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_alexnet_tiny_imagenet(rng); };
    protocol.optimizer = OptimizerKind::Adam;
    protocol.lr = 1e-4f;
    protocol.batch = 500;
    protocol.target_train_acc = 0.999;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"flatten", "fc1", "fc2"};
    protocol.expected = "authors: model test 0.73% at p = 0.8 (15.89% at p = 0)";
    protocol.published.model_test = {0.1589, 0.0975, 0.0545, 0.0202, 0.0073, 0.0044};
    protocol.published.relative_gain = {kUnpublished, 0.275, 0.5346, 0.4538, 0.1416, kUnpublished};  // Table 1
    protocol.cost.epoch_seconds = 3000;
    protocol.cost.train_samples = 100000;
    protocol.cost.epochs = {150, 150, 150, 150, 150, 150};
    protocol.cost.basis =
        "guessed: about 15 s per batch of 500 on 2 cores, 150 epochs at every p; a GPU cuts this by two orders of magnitude";
    return protocol;
}

}  // namespace probenet::experiments
