// Batch orders and batch gathering; see batches.h.
#include "data/batches.h"

#include <algorithm>
#include <numeric>

#include "tensor/error.h"
#include "tensor/random.h"

namespace probenet::data {

std::vector<int64_t> numpy_permutation(int64_t n, uint32_t seed) {
    PROBENET_CHECK(n >= 0 && n <= int64_t(UINT32_MAX), "numpy_permutation: n = ", n, " is outside [0, 2^32)");
    std::vector<int64_t> perm(static_cast<size_t>(n));
    std::iota(perm.begin(), perm.end(), int64_t{0});
    Rng rng(seed);
    for (int64_t i = n - 1; i >= 1; --i)
        std::swap(perm[static_cast<size_t>(i)], perm[rng.randint(static_cast<uint32_t>(i + 1))]);
    return perm;
}

BatchOrder::BatchOrder(int64_t n, int64_t batch_size, bool shuffle, uint32_t seed)
    : n_(n), batch_size_(batch_size), shuffle_(shuffle), seed_(seed) {
    PROBENET_CHECK(n >= 0, "BatchOrder: dataset size ", n, " is negative");
    PROBENET_CHECK(batch_size >= 1, "BatchOrder: batch size ", batch_size, " must be at least 1");
    start_epoch(0);
}

void BatchOrder::start_epoch(int epoch) {
    PROBENET_CHECK(epoch >= 0, "BatchOrder::start_epoch: epoch ", epoch, " is negative; epochs count from 0");
    epoch_ = epoch;
    if (shuffle_) permutation_ = numpy_permutation(n_, seed_ + static_cast<uint32_t>(epoch));
}

void BatchOrder::check_batch(int64_t b) const {
    PROBENET_CHECK(b >= 0 && b < num_batches(), "BatchOrder: batch ", b, " is outside [0, ", num_batches(),
                   ") for ", n_, " samples in batches of ", batch_size_);
}

int64_t BatchOrder::batch_begin(int64_t b) const {
    check_batch(b);
    return b * batch_size_;
}

int64_t BatchOrder::batch_end(int64_t b) const {
    check_batch(b);
    return std::min(n_, (b + 1) * batch_size_);
}

std::vector<int64_t> BatchOrder::batch_indices(int64_t b) const {
    const int64_t begin = batch_begin(b), end = batch_end(b);
    std::vector<int64_t> idx(static_cast<size_t>(end - begin));
    if (shuffle_)
        std::copy(permutation_.begin() + begin, permutation_.begin() + end, idx.begin());
    else
        std::iota(idx.begin(), idx.end(), begin);
    return idx;
}

Batch make_batch(const Dataset& d, const BatchOrder& order, int64_t b) {
    PROBENET_CHECK(order.size() == d.size(), "make_batch: the batch order was built for ", order.size(),
                   " samples but ", d.name, " has ", d.size());
    Batch batch;
    const int64_t begin = order.batch_begin(b), end = order.batch_end(b);
    if (order.contiguous()) {
        batch.images = d.batch_images(begin, end);
        batch.train_labels.assign(d.train_labels.begin() + begin, d.train_labels.begin() + end);
        batch.true_labels.assign(d.true_labels.begin() + begin, d.true_labels.begin() + end);
        return batch;
    }
    const std::vector<int64_t> idx = order.batch_indices(b);
    batch.images = d.gather_images(idx);
    batch.train_labels.resize(idx.size());
    batch.true_labels.resize(idx.size());
    for (size_t i = 0; i < idx.size(); ++i) {
        batch.train_labels[i] = d.train_labels[static_cast<size_t>(idx[i])];
        batch.true_labels[i] = d.true_labels[static_cast<size_t>(idx[i])];
    }
    return batch;
}

}  // namespace probenet::data
