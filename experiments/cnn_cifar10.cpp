// cnn_cifar10 — the paper's CNN on CIFAR-10 with corrupted labels, then MASC on every layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/cnn_cifar10.cpp; this main runs one cell of it (one p, one run).
//
// usage: ./experiments/cnn_cifar10 [--corrupt 0.8] [--run 1] [--data data/cifar10] ... (--help)
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("cnn_cifar10"), argc, argv);
}
