// alexnet_tiny_imagenet — the paper's AlexNet on Tiny ImageNet with corrupted labels, then MASC per layer.
// The protocol (model, data, training, probed layers, the authors' numbers) is in
// experiments/protocols/alexnet_tiny_imagenet.cpp; this main runs one cell of it (one p, one run).
//
// usage: ./experiments/alexnet_tiny_imagenet [--corrupt 0.8] [--run 1] [--data data/tiny-imagenet] ... (--help)
#include "experiments/common/experiment.h"
#include "experiments/protocols/protocol_registry.h"

int main(int argc, char** argv) {
    using namespace probenet::experiments;
    return run_experiment(protocol_named("alexnet_tiny_imagenet"), argc, argv);
}
