// mlp_mnist — the paper's MLP on MNIST with corrupted labels, then MASC on every layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/mlp_mnist.cpp; this main runs one cell of it (one p, one run).
//
// usage: ./experiments/mlp_mnist [--corrupt 0.8] [--run 1] [--data data/mnist] ... (--help)
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("mlp_mnist"), argc, argv);
}
