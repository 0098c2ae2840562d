// dlib peer: one training step of the paper's MLP (784-128-512-2048-2048-10, ReLU) with dlib's
// dnn: SGD lr 1e-3 momentum 0.9, no weight decay, batch 32, inputs uniform in [−1, 1) and random
// labels (dlib_peer.h).
// usage: dlib_mlp [steps] [threads]   (threads is not applied: set OMP_NUM_THREADS)
#include "dlib_peer.h"

using mlp_net = dlib::loss_multiclass_log<
    dlib::fc<10, dlib::relu<dlib::fc<2048, dlib::relu<dlib::fc<2048, dlib::relu<dlib::fc<512, dlib::relu<dlib::fc<128,
    dlib::input<dlib::matrix<float>>>>>>>>>>>>;

int main(int argc, char** argv) {
    const PeerArgs args = peer_args(argc, argv, 100);
    mlp_net net;
    dlib::dnn_trainer<mlp_net> trainer(net, dlib::sgd(0, 0.9));
    trainer.set_learning_rate(1e-3);
    time_dlib_steps(trainer, 784, 1, 32, args.steps, 10);
    return 0;
}
