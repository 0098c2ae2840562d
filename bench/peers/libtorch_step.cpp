// libtorch peer: one training step of the paper's MLP (PEER_MODEL_mlp) or CNN (PEER_MODEL_cnn) in
// PyTorch's C++ API, the same step as bench/torch_step.py and probenet's step benchmarks:
//   mlp  784-128-512-2048-2048-10, ReLU; SGD lr 1e-3 momentum 0.9; batch 32
//   cnn  [conv 3×3 p1 + ReLU] ×2 + max-pool 2 with 16, 32, 64 channels, flatten 576,
//        [Linear 250 + ReLU] ×3, Linear(250, 10, no bias); Adam lr 2e-4; batch 128
// on inputs uniform in [−1, 1) and random labels, a pool of 16 batches made before timing.
// usage: libtorch_mlp|libtorch_cnn [steps] [threads]
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "peer_timing.h"

namespace {

torch::nn::Sequential paper_mlp() {
    torch::nn::Sequential net;
    net->push_back(torch::nn::Flatten());
    const int64_t widths[] = {784, 128, 512, 2048, 2048};
    for (int i = 0; i + 1 < 5; ++i) {
        net->push_back(torch::nn::Linear(widths[i], widths[i + 1]));
        net->push_back(torch::nn::ReLU());
    }
    net->push_back(torch::nn::Linear(2048, 10));
    return net;
}

torch::nn::Sequential paper_cnn() {
    torch::nn::Sequential net;
    int64_t in = 1;
    for (int64_t out : {16, 32, 64}) {
        for (int k = 0; k < 2; ++k) {
            net->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(k == 0 ? in : out, out, 3).padding(1)));
            net->push_back(torch::nn::ReLU());
        }
        net->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
        in = out;
    }
    net->push_back(torch::nn::Flatten());
    int64_t width = 64 * 3 * 3;
    for (int k = 0; k < 3; ++k) {
        net->push_back(torch::nn::Linear(width, 250));
        net->push_back(torch::nn::ReLU());
        width = 250;
    }
    net->push_back(torch::nn::Linear(torch::nn::LinearOptions(250, 10).bias(false)));
    return net;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef PEER_MODEL_mlp
    const PeerArgs args = peer_args(argc, argv, 300);
    const int batch = 32;
    torch::manual_seed(1);
    torch::nn::Sequential net = paper_mlp();
    std::unique_ptr<torch::optim::Optimizer> opt =
        std::make_unique<torch::optim::SGD>(net->parameters(), torch::optim::SGDOptions(1e-3).momentum(0.9));
#else
    const PeerArgs args = peer_args(argc, argv, 50);
    const int batch = 128;
    torch::manual_seed(1);
    torch::nn::Sequential net = paper_cnn();
    std::unique_ptr<torch::optim::Optimizer> opt =
        std::make_unique<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(2e-4));
#endif
    torch::set_num_threads(args.threads);
    std::vector<torch::Tensor> xs, ys;
    for (int i = 0; i < 16; ++i) {
        xs.push_back(torch::rand({batch, 1, 28, 28}) * 2 - 1);
        ys.push_back(torch::randint(0, 10, {batch}, torch::kLong));
    }
    time_peer_steps(args.steps, 10, batch, [&](int i) {
        torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(xs[i % 16]), ys[i % 16]);
        opt->zero_grad();
        loss.backward();
        opt->step();
        loss.item<float>();
    });
    return 0;
}
