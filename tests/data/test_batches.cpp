// BatchOrder and make_batch: file order with a short last batch; the seeded shuffle as a
// numpy-compatible permutation per epoch; gathered batches; argument errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

#include "data/batches.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;

namespace {

std::vector<int64_t> all_indices(const BatchOrder& order) {
    std::vector<int64_t> out;
    for (int64_t b = 0; b < order.num_batches(); ++b) {
        const std::vector<int64_t> idx = order.batch_indices(b);
        out.insert(out.end(), idx.begin(), idx.end());
    }
    return out;
}

std::vector<int64_t> iota(int64_t n) {
    std::vector<int64_t> v(static_cast<size_t>(n));
    std::iota(v.begin(), v.end(), int64_t{0});
    return v;
}

// n ≤ 256 samples of shape (1, 2, 2) whose pixels all equal the sample index (bytes, scaled to
// index/255); labels i % 3 and (i + 1) % 3.
Dataset indexed_dataset(int64_t n) {
    std::vector<uint8_t> pixels;
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < n; ++i) {
        pixels.insert(pixels.end(), 4, static_cast<uint8_t>(i));
        labels.push_back(static_cast<int32_t>(i % 3));
    }
    Dataset d = make_dataset("indexed", std::move(pixels), {1, 2, 2}, Scaling::ZeroToOne, std::move(labels), 3);
    for (int64_t i = 0; i < n; ++i) d.train_labels[static_cast<size_t>(i)] = static_cast<int32_t>((i + 1) % 3);
    return d;
}

float pixel(int64_t i) { return scale_pixel(static_cast<uint8_t>(i), Scaling::ZeroToOne); }

}  // namespace

TEST_CASE("BatchOrder in file order covers 0..N-1 with a short last batch", "[data]") {
    BatchOrder order(10, 4, false, 123);
    REQUIRE(order.contiguous());
    REQUIRE(order.num_batches() == 3);
    REQUIRE(order.batch_indices(0) == std::vector<int64_t>{0, 1, 2, 3});
    REQUIRE(order.batch_indices(2) == std::vector<int64_t>{8, 9});
    REQUIRE(order.batch_begin(2) == 8);
    REQUIRE(order.batch_end(2) == 10);
    order.start_epoch(5);
    REQUIRE(all_indices(order) == iota(10));
    REQUIRE(BatchOrder(8, 4, false, 0).num_batches() == 2);
    REQUIRE(BatchOrder(0, 4, false, 0).num_batches() == 0);
    REQUIRE(BatchOrder(3, 100, false, 0).batch_indices(0) == std::vector<int64_t>{0, 1, 2});
}

TEST_CASE("BatchOrder shuffle: numpy permutations, repeatable per seed and epoch", "[data]") {
    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(7); print(np.random.permutation(10).tolist()); np.random.seed(8); print(np.random.permutation(10).tolist())'
    REQUIRE(numpy_permutation(10, 7) == std::vector<int64_t>{8, 5, 0, 2, 1, 9, 7, 3, 6, 4});
    BatchOrder small(10, 3, true, 7);
    REQUIRE_FALSE(small.contiguous());
    REQUIRE(all_indices(small) == std::vector<int64_t>{8, 5, 0, 2, 1, 9, 7, 3, 6, 4});
    small.start_epoch(1);  // seed 7 + epoch 1
    REQUIRE(all_indices(small) == std::vector<int64_t>{8, 6, 9, 0, 2, 5, 7, 1, 4, 3});

    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(0); print(np.random.permutation(37).tolist())'
    const std::vector<int64_t> numpy37{22, 20, 16, 10, 31, 28, 15, 11, 2,  25, 30, 32, 36, 34, 29, 33, 8, 13, 5,
                                       17, 14, 7,  27, 1,  12, 26, 24, 6, 23, 4,  18, 21, 19, 9,  35, 3, 0};
    BatchOrder order(37, 8, true, 0);
    REQUIRE(order.num_batches() == 5);
    REQUIRE(order.batch_indices(4).size() == 5);
    const std::vector<int64_t> epoch0 = all_indices(order);
    REQUIRE(epoch0 == numpy37);
    std::vector<int64_t> sorted = epoch0;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == iota(37));

    order.start_epoch(1);
    const std::vector<int64_t> epoch1 = all_indices(order);
    REQUIRE(epoch1 != epoch0);
    sorted = epoch1;
    std::sort(sorted.begin(), sorted.end());
    REQUIRE(sorted == iota(37));

    BatchOrder again(37, 8, true, 0);
    again.start_epoch(1);
    REQUIRE(all_indices(again) == epoch1);
    again.start_epoch(0);
    REQUIRE(all_indices(again) == epoch0);
    REQUIRE(all_indices(BatchOrder(37, 8, true, 1)) != epoch0);
}

TEST_CASE("make_batch: scaled rows in file order, gathered rows when shuffled", "[data]") {
    const Dataset d = indexed_dataset(10);
    const BatchOrder file_order(10, 4, false, 0);
    const Batch last = make_batch(d, file_order, 2);
    REQUIRE(last.images.shape() == Shape{2, 1, 2, 2});
    REQUIRE(last.images.to_vector() == std::vector<float>{pixel(8), pixel(8), pixel(8), pixel(8), pixel(9), pixel(9),
                                                          pixel(9), pixel(9)});
    REQUIRE(last.true_labels == std::vector<int32_t>{2, 0});
    REQUIRE(last.train_labels == std::vector<int32_t>{0, 1});

    BatchOrder shuffled(10, 4, true, 7);
    for (int epoch = 0; epoch < 2; ++epoch) {
        shuffled.start_epoch(epoch);
        for (int64_t b = 0; b < shuffled.num_batches(); ++b) {
            const std::vector<int64_t> idx = shuffled.batch_indices(b);
            const Batch batch = make_batch(d, shuffled, b);
            REQUIRE(batch.images.shape() == Shape{static_cast<int64_t>(idx.size()), 1, 2, 2});
            for (size_t i = 0; i < idx.size(); ++i) {
                const int64_t j = idx[i];
                REQUIRE(batch.images.at({static_cast<int64_t>(i), 0, 1, 1}) == pixel(j));
                REQUIRE(batch.true_labels[i] == d.true_labels[static_cast<size_t>(j)]);
                REQUIRE(batch.train_labels[i] == d.train_labels[static_cast<size_t>(j)]);
            }
        }
    }
}

TEST_CASE("BatchOrder and make_batch reject bad arguments", "[data]") {
    REQUIRE_THROWS_WITH(BatchOrder(10, 0, false, 0), Contains("batch size 0 must be at least 1"));
    REQUIRE_THROWS_WITH(BatchOrder(-1, 4, false, 0), Contains("dataset size -1"));
    BatchOrder order(10, 4, true, 0);
    REQUIRE_THROWS_WITH(order.batch_indices(3), Contains("batch 3 is outside [0, 3)"));
    REQUIRE_THROWS_WITH(order.batch_indices(-1), Contains("batch -1"));
    REQUIRE_THROWS_WITH(order.start_epoch(-1), Contains("epoch -1"));
    REQUIRE_THROWS_WITH(make_batch(indexed_dataset(9), order, 0),
                        Contains("built for 10 samples") && Contains("indexed has 9"));
}
