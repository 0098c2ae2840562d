// alexnet_cifar100 — the paper's AlexNet on CIFAR-100 with corrupted labels, then MASC per layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/alexnet_cifar100.cpp; this main runs one cell of it (one p, one run).
//
// usage: ./experiments/alexnet_cifar100 [--corrupt 0.8] [--run 1] [--data data/cifar100] ... (--help)
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("alexnet_cifar100"), argc, argv);
}
