// cnn_fashion_mnist — the paper's CNN on Fashion-MNIST with corrupted labels, then MASC per layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/cnn_fashion_mnist.cpp; this main runs one cell of it (one p, one run).
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("cnn_fashion_mnist"), argc, argv);
}
