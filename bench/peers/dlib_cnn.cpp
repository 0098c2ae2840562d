// dlib peer: one training step of the paper's CNN with dlib's dnn: [con 3×3 (dlib pads 3×3 stride-1
// convolutions by 1) + ReLU] ×2 then max_pool 2×2, with 16, 32, 64 channels (28 → 14 → 7 → 3),
// [fc 250 + ReLU] ×3, fc_no_bias 10; Adam lr 2e-4 (no weight decay), batch 128, inputs uniform in
// [−1, 1) and random labels (dlib_peer.h).
// usage: dlib_cnn [steps] [threads]   (threads is not applied: set OMP_NUM_THREADS)
#include "dlib_peer.h"

template <long N, typename S>
using conv_relu = dlib::relu<dlib::con<N, 3, 3, 1, 1, S>>;
template <long N, typename S>
using block = dlib::max_pool<2, 2, 2, 2, conv_relu<N, conv_relu<N, S>>>;
using cnn_net = dlib::loss_multiclass_log<dlib::fc_no_bias<10,
    dlib::relu<dlib::fc<250, dlib::relu<dlib::fc<250, dlib::relu<dlib::fc<250,
    block<64, block<32, block<16, dlib::input<dlib::matrix<float>>>>>>>>>>>>>;

int main(int argc, char** argv) {
    const PeerArgs args = peer_args(argc, argv, 20);
    cnn_net net;
    dlib::dnn_trainer<cnn_net, dlib::adam> trainer(net, dlib::adam(0, 0.9, 0.999));
    trainer.set_learning_rate(2e-4);
    time_dlib_steps(trainer, 28, 28, 128, args.steps, 3);
    return 0;
}
