// Batches: the order in which an epoch visits a dataset, and gathering one batch of it.
//
// File order (shuffle = false, the paper's setting): batch b is rows [b·bs, min(N, (b+1)·bs)), the
// last batch is short when bs does not divide N.
// Seeded shuffle (shuffle = true): epoch e visits the permutation that
//   np.random.seed((seed + e) mod 2^32); np.random.permutation(N)
// gives (numpy legacy Fisher–Yates: for i = N−1 … 1, swap i with randint(0, i+1)), so a run can be
// replayed from Python. Note that seed s, epoch e+1 repeats seed s+1, epoch e: give different runs
// seeds far apart.
//
// make_batch scales the batch's u8 pixels into a new float32 tensor (Dataset::batch_images or
// gather_images). Shapes: a batch of m samples has images (m, C, H, W) and m labels of each kind.
#pragma once

#include <cstdint>
#include <vector>

#include "data/dataset.h"
#include "tensor/tensor.h"

namespace probenet::data {

class BatchOrder {
public:
    // n >= 0 samples in batches of batch_size >= 1; prepares epoch 0.
    BatchOrder(int64_t n, int64_t batch_size, bool shuffle, uint32_t seed);

    // Sets the order of epoch `epoch` (>= 0); a no-op in file order.
    void start_epoch(int epoch);

    int64_t num_batches() const { return (n_ + batch_size_ - 1) / batch_size_; }
    int64_t size() const { return n_; }
    int64_t batch_size() const { return batch_size_; }
    int epoch() const { return epoch_; }

    // Dataset indices of batch b in [0, num_batches()).
    std::vector<int64_t> batch_indices(int64_t b) const;
    // True in file order: batch b is rows [batch_begin(b), batch_end(b)).
    bool contiguous() const { return !shuffle_; }
    int64_t batch_begin(int64_t b) const;
    int64_t batch_end(int64_t b) const;

private:
    void check_batch(int64_t b) const;

    int64_t n_, batch_size_;
    bool shuffle_;
    uint32_t seed_;
    int epoch_ = 0;
    std::vector<int64_t> permutation_;  // the epoch's order when shuffling; empty in file order
};

// numpy's legacy np.random.seed(seed); np.random.permutation(n).
std::vector<int64_t> numpy_permutation(int64_t n, uint32_t seed);

struct Batch {
    Tensor images;  // (m, C, H, W)
    std::vector<int32_t> train_labels, true_labels;
};

// Batch b of `d` in the order `order` (built for d.size() samples), scaled, on the CPU.
Batch make_batch(const Dataset& d, const BatchOrder& order, int64_t b);

}  // namespace probenet::data
