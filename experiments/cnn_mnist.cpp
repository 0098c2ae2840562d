// cnn_mnist — the paper's CNN on MNIST with corrupted labels, then MASC on every layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/cnn_mnist.cpp; this main runs one cell of it (one p, one run).
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("cnn_mnist"), argc, argv);
}
