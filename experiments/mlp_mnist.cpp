// mlp_mnist — the paper's MLP on MNIST with corrupted labels, then MASC on every layer.
//
// Protocol (the authors' code, docs/protocol.md):
//   data      MNIST 60000/10000, pixels (u8/255 − 0.5)/0.5 ∈ [−1, 1], training set in file order;
//             training labels corrupted with numpy seed 42: rand(N) <= p → uniform over 10 classes
//   model     784 → 128 → 512 → 2048 → 2048 → 10, ReLU, PyTorch default init
//   training  SGD lr 1e-3 momentum 0.9, batch 32, mean cross-entropy; stop when the running train
//             accuracy on the corrupted labels reaches 99.9 %, or after 500 epochs
//   probed    input, FC(128), FC(512), FC(2048), FC(2048) (each hidden layer after its ReLU)
//
// Expected (authors, mean of 3 runs), model test accuracy at p = 0 / 0.2 / 0.4 / 0.6 / 0.8 / 1.0:
//   97.88 / 87.38 / 73.28 / 54.17 / 32.10 / 9.81 %; best-layer MASC test accuracy with
//   corrupted-label subspaces at p = 0.2 / 0.4 / 0.6 / 0.8: .969 / .965 / .948 / .834.
//
// usage: ./experiments/mlp_mnist [--corrupt 0.8] [--run 1] [--data data/mnist] ... (--help)
#include "experiments/common/experiment.h"
#include "nn/models/mlp.h"

int main(int argc, char** argv) {
    using namespace probenet;
    experiments::Protocol protocol;
    protocol.name = "mlp_mnist";
    protocol.dataset = "mnist";
    protocol.make_model = [](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_mlp(784, {128, 512, 2048, 2048}, 10, rng); };
    protocol.optimizer = experiments::OptimizerKind::SGD;
    protocol.lr = 1e-3f;
    protocol.momentum = 0.9f;
    protocol.batch = 32;
    protocol.target_train_acc = 0.999;
    protocol.max_epochs = 500;
    protocol.default_corrupt = 0.8;
    protocol.probe_layers = {"input", "fc1", "fc2", "fc3", "fc4"};
    protocol.expected = "authors: model test 32.10% at p = 0.8 (97.88% at p = 0); best-layer MASC .834 at p = 0.8";
    return experiments::run_experiment(protocol, argc, argv);
}
