// Shared by the dlib peers: a batch of inputs uniform in [−1, 1) with random labels, and the timed
// loop. dlib's trainer runs its steps on a worker thread; get_net() waits for it, so each timed step
// is a train_one_step plus that wait. BLAS threads come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS.
#pragma once

#include <dlib/dnn.h>

#include "peer_timing.h"

template <typename Trainer>
void time_dlib_steps(Trainer& trainer, long rows, long cols, int batch, int steps, int warmup) {
    trainer.set_mini_batch_size(batch);
    trainer.be_quiet();
    dlib::rand rnd(1);
    std::vector<dlib::matrix<float>> xs(static_cast<size_t>(batch), dlib::matrix<float>(rows, cols));
    std::vector<unsigned long> ys(static_cast<size_t>(batch));
    for (auto& m : xs)
        for (auto& v : m) v = static_cast<float>(rnd.get_random_double() * 2 - 1);
    for (auto& y : ys) y = rnd.get_random_32bit_number() % 10;
    time_peer_steps(steps, warmup, batch, [&](int) {
        trainer.train_one_step(xs, ys);
        trainer.get_net(dlib::force_flush_to_disk::no);
    });
}
