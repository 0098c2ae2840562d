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
// usage: ./experiments/mlp_cifar10 [--corrupt 0.8] [--run 1] [--data data/cifar10] ... (--help)
#include "experiments/common/experiment.h"
#include "nn/models/mlp.h"

int main(int argc, char** argv) {
    using namespace probenet;
    experiments::Protocol protocol;
    protocol.name = "mlp_cifar10";
    protocol.dataset = "cifar10";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_mlp(3072, {128, 512, 2048, 2048}, 10, rng); };
    protocol.optimizer = experiments::OptimizerKind::SGD;
    protocol.lr = 1e-3f;
    protocol.momentum = 0.9f;
    protocol.batch = 32;
    protocol.target_train_acc = 1.0;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "fc1", "fc2", "fc3", "fc4"};
    protocol.expected = "authors: model test 19.69% at p = 0.8 (56.37% at p = 0)";
    return experiments::run_experiment(protocol, argc, argv);
}
