// Pixel scaling, Dataset::prefix/check, and (when fetched) MNIST and Fashion-MNIST themselves: shapes,
// scaling of real pixels, and the paper's fractions of correct labels after corruption.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "data/dataset.h"
#include "data/mnist_format.h"
#include "data/label_corruption.h"
#include "dataset_dirs.h"
#include "idx_test_files.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;

namespace {

// MNIST read once per process (ctest runs each test case in its own process, so few cases use it).
const TrainTest& mnist() {
    static const TrainTest tt = load_mnist_format(testing::dataset_dir("mnist"), "mnist");
    return tt;
}

Dataset tiny_dataset() {
    Dataset d = make_dataset("tiny", {0, 1, 10, 11, 20, 21, 30, 31}, {1, 1, 2}, Scaling::ZeroToOne, {0, 1, 2, 0}, 3);
    d.train_labels = {0, 2, 2, 1};
    return d;
}

std::vector<float> scaled(std::vector<uint8_t> bytes, Scaling scaling = Scaling::ZeroToOne) {
    std::vector<float> out;
    for (uint8_t b : bytes) out.push_back(scale_pixel(b, scaling));
    return out;
}

}  // namespace

TEST_CASE("pixel scaling is (u8/255 - 0.5)/0.5 or u8/255 in float32", "[data]") {
    REQUIRE(scale_pixel(0, Scaling::MinusOneToOne) == -1.0f);
    REQUIRE(scale_pixel(255, Scaling::MinusOneToOne) == 1.0f);
    // /usr/bin/python3 -c 'import numpy as np; f=np.float32; v=(f(127)/f(255)-f(0.5))/f(0.5); print(float(v).hex())'
    REQUIRE(scale_pixel(127, Scaling::MinusOneToOne) == static_cast<float>(-0x1.0101p-8));
    REQUIRE(scale_pixel(127, Scaling::MinusOneToOne) == (127.0f / 255.0f - 0.5f) / 0.5f);
    REQUIRE(scale_pixel(0, Scaling::ZeroToOne) == 0.0f);
    REQUIRE(scale_pixel(255, Scaling::ZeroToOne) == 1.0f);
    REQUIRE(scale_pixel(127, Scaling::ZeroToOne) == static_cast<float>(0x1.fdfdfep-2));

    const Tensor t = pixels_to_tensor({0, 127, 255, 64}, {1, 1, 2, 2}, Scaling::MinusOneToOne);
    REQUIRE(t.shape() == Shape{1, 1, 2, 2});
    REQUIRE(t.to_vector() == std::vector<float>{-1.0f, scale_pixel(127, Scaling::MinusOneToOne), 1.0f,
                                                scale_pixel(64, Scaling::MinusOneToOne)});
    REQUIRE_THROWS_WITH(pixels_to_tensor({1, 2, 3}, {2, 2}, Scaling::ZeroToOne), Contains("needs 4 values, got 3"));
}

TEST_CASE("Dataset::prefix shares the pixels and keeps the first labels; check catches inconsistencies", "[data]") {
    const Dataset d = tiny_dataset();
    REQUIRE(d.size() == 4);
    REQUIRE_NOTHROW(d.check());
    const Dataset p = d.prefix(3);
    REQUIRE(p.name == "tiny[:3]");
    REQUIRE(p.size() == 3);
    REQUIRE(p.sample_shape == Shape{1, 1, 2});
    REQUIRE(p.pixels == d.pixels);
    REQUIRE(p.batch_images(0, 3).shape() == Shape{3, 1, 1, 2});
    REQUIRE(p.batch_images(0, 3).to_vector() == scaled({0, 1, 10, 11, 20, 21}));
    REQUIRE_THROWS_WITH(p.batch_images(2, 4), Contains("tiny[:3]") && Contains("[2, 4)") && Contains("has 3"));
    REQUIRE(p.true_labels == std::vector<int32_t>{0, 1, 2});
    REQUIRE(p.train_labels == std::vector<int32_t>{0, 2, 2});
    REQUIRE(p.num_classes == 3);
    REQUIRE(d.prefix(4).name == "tiny");
    REQUIRE(d.prefix(0).size() == 0);
    REQUIRE_THROWS_WITH(d.prefix(5), Contains("tiny") && Contains("5 samples") && Contains("has 4"));

    Dataset bad = tiny_dataset();
    bad.train_labels[2] = 3;
    REQUIRE_THROWS_WITH(bad.check(), Contains("training label 3 of sample 2") && Contains("[0, 3)"));
    bad = tiny_dataset();
    bad.true_labels.push_back(0);
    REQUIRE_THROWS_WITH(bad.check(), Contains("need 10 pixel bytes but 8 are stored"));
    REQUIRE_THROWS_WITH(make_dataset("short", {1, 2, 3}, {1, 2, 2}, Scaling::ZeroToOne, {0}, 1),
                        Contains("short") && Contains("need 4 pixel bytes"));
}

TEST_CASE("Dataset::batch_images and gather_images scale the stored bytes as they are drawn", "[data]") {
    const Dataset d = make_dataset("bytes", {0, 127, 255, 64, 3, 200}, {1, 1, 2}, Scaling::MinusOneToOne, {0, 1, 0}, 2);
    const Tensor all = d.batch_images(0, 3);
    REQUIRE(all.shape() == Shape{3, 1, 1, 2});
    REQUIRE(all.to_vector() == scaled({0, 127, 255, 64, 3, 200}, Scaling::MinusOneToOne));
    REQUIRE(d.batch_images(1, 2).to_vector() == scaled({255, 64}, Scaling::MinusOneToOne));
    REQUIRE(d.batch_images(2, 2).shape() == Shape{0, 1, 1, 2});
    const std::vector<int64_t> idx{2, 0, 2};
    const Tensor g = d.gather_images(idx);
    REQUIRE(g.shape() == Shape{3, 1, 1, 2});
    REQUIRE(g.to_vector() == scaled({3, 200, 0, 127, 3, 200}, Scaling::MinusOneToOne));
    const std::vector<int64_t> bad{1, 3};
    REQUIRE_THROWS_WITH(d.gather_images(bad), Contains("bytes") && Contains("sample 3") && Contains("has 3"));
}

TEST_CASE("MNIST loads with the paper's shapes and scaling", "[data]") {
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(testing::dataset_dir("mnist"));
    const TrainTest& tt = mnist();
    REQUIRE(tt.train.name == "mnist/train");
    REQUIRE(tt.test.name == "mnist/test");
    REQUIRE(tt.train.size() == 60000);
    REQUIRE(tt.test.size() == 10000);
    REQUIRE(tt.train.sample_shape == Shape{1, 28, 28});
    REQUIRE(tt.test.sample_shape == Shape{1, 28, 28});
    REQUIRE(tt.train.num_classes == 10);
    REQUIRE_NOTHROW(tt.train.check());
    REQUIRE_NOTHROW(tt.test.check());
    REQUIRE(tt.train.train_labels == tt.train.true_labels);
    // The well-known first labels of each split.
    REQUIRE(std::vector<int32_t>(tt.train.true_labels.begin(), tt.train.true_labels.begin() + 5) ==
            std::vector<int32_t>{5, 0, 4, 1, 9});
    REQUIRE(std::vector<int32_t>(tt.test.true_labels.begin(), tt.test.true_labels.begin() + 5) ==
            std::vector<int32_t>{7, 2, 1, 0, 4});
    // Every pixel is one of the 256 scaled values; the corner is background (-1), some pixel is ink (1).
    const Tensor images = tt.train.batch_images(0, tt.train.size());
    REQUIRE(images.shape() == Shape{60000, 1, 28, 28});
    const float* x = images.data();
    REQUIRE(x[0] == -1.0f);
    float lo = 1.0f, hi = -1.0f;
    for (int64_t i = 0; i < images.numel(); ++i) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
    REQUIRE(lo == -1.0f);
    REQUIRE(hi == 1.0f);
}

TEST_CASE("MNIST label corruption keeps the paper's fractions of correct labels", "[data]") {
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(testing::dataset_dir("mnist"));
    const std::vector<int32_t>& labels = mnist().train.true_labels;
    // docs/protocol.md: 82.04 / 64.11 / 46.16 / 27.87 / 10.02 % at p = 0.2 / 0.4 / 0.6 / 0.8 / 1.0. The exact counts
    // come from numpy:
    // /usr/bin/python3 -c '
    // import numpy as np
    // labels = np.fromfile("data/mnist/train-labels-idx1-ubyte", dtype=np.uint8, offset=8).astype(np.int64)
    // for p in (0.2, 0.4, 0.6, 0.8, 1.0):
    //     l = labels.copy(); np.random.seed(42); mask = np.random.rand(len(l)) <= p; l[mask] = np.random.choice(10, mask.sum())
    //     print(p, (l == labels).sum(), "%.4f" % (100 * (l == labels).mean()))'
    struct Case {
        double p;
        int64_t correct;
        const char* percent;
    };
    for (const Case c : {Case{0.2, 49222, "82.04"}, Case{0.4, 38464, "64.11"}, Case{0.6, 27697, "46.16"},
                         Case{0.8, 16724, "27.87"}, Case{1.0, 6011, "10.02"}}) {
        const std::vector<int32_t> corrupted = corrupt_labels(labels, c.p, 10);
        const int64_t correct = count_equal(corrupted, labels);
        char percent[16];
        std::snprintf(percent, sizeof percent, "%.2f", 100.0 * double(correct) / double(labels.size()));
        INFO("p = " << c.p);
        REQUIRE(std::string(percent) == c.percent);
        REQUIRE(correct == c.correct);
    }
    REQUIRE(corrupt_labels(labels, 0.0, 10) == labels);
}

TEST_CASE("Fashion-MNIST loads from its gzipped IDX files", "[data]") {
    const std::string dir = testing::dataset_dir("fashion-mnist");
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(dir);
    const TrainTest tt = load_mnist_format(dir, "fashion-mnist");
    REQUIRE(tt.train.size() == 60000);
    REQUIRE(tt.test.size() == 10000);
    REQUIRE(tt.train.sample_shape == Shape{1, 28, 28});
    REQUIRE(tt.train.name == "fashion-mnist/train");
    REQUIRE_NOTHROW(tt.train.check());
    REQUIRE_NOTHROW(tt.test.check());
    // The first labels (ankle boot, T-shirt, T-shirt, dress, T-shirt / ankle boot, pullover, trouser, trouser, shirt).
    REQUIRE(std::vector<int32_t>(tt.train.true_labels.begin(), tt.train.true_labels.begin() + 5) ==
            std::vector<int32_t>{9, 0, 0, 3, 0});
    REQUIRE(std::vector<int32_t>(tt.test.true_labels.begin(), tt.test.true_labels.begin() + 5) ==
            std::vector<int32_t>{9, 2, 1, 1, 6});
    // Balanced classes: 6000 training images each.
    std::vector<int> count(10);
    for (int32_t l : tt.train.true_labels) ++count[l];
    REQUIRE(count == std::vector<int>(10, 6000));
}

TEST_CASE("load_mnist_format on crafted files: shapes, scaling, labels, mixed plain and gzip", "[data]") {
    testing::TempDir dir;
    using testing::idx_bytes;
    const std::string d = dir.path.string();
    testing::write_plain(dir.file("train-images-idx3-ubyte"),
                         idx_bytes({3, 2, 2}, {0, 255, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8}));
    testing::write_gzip(dir.file("train-labels-idx1-ubyte.gz"), idx_bytes({3}, {9, 0, 4}));
    testing::write_gzip(dir.file("t10k-images-idx3-ubyte.gz"), idx_bytes({2, 2, 2}, {255, 255, 255, 255, 0, 0, 0, 0}));
    testing::write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({2}, {1, 2}));

    const TrainTest tt = load_mnist_format(d, "crafted", Scaling::ZeroToOne);
    REQUIRE(tt.train.name == "crafted/train");
    REQUIRE(tt.train.batch_images(0, 3).shape() == Shape{3, 1, 2, 2});
    REQUIRE(tt.test.batch_images(0, 2).shape() == Shape{2, 1, 2, 2});
    REQUIRE(tt.train.batch_images(0, 1).at({0, 0, 0, 1}) == 1.0f);
    REQUIRE(tt.train.batch_images(0, 1).at({0, 0, 1, 0}) == 127.0f / 255.0f);
    REQUIRE(tt.train.true_labels == std::vector<int32_t>{9, 0, 4});
    REQUIRE(tt.train.train_labels == tt.train.true_labels);
    REQUIRE(tt.test.true_labels == std::vector<int32_t>{1, 2});
    REQUIRE(tt.test.num_classes == 10);
    REQUIRE(load_mnist_format(d, "crafted").test.batch_images(1, 2).at({0, 0, 0, 0}) == -1.0f);

    // One label too few, a label of 10, label and image files swapped, different image sizes.
    testing::write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({1}, {1}));
    REQUIRE_THROWS_WITH(load_mnist_format(d, "crafted"),
                        Contains("holds 2 images") && Contains("holds 1 labels") && Contains("t10k-labels-idx1-ubyte"));
    testing::write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({2}, {1, 10}));
    REQUIRE_THROWS_WITH(load_mnist_format(d, "crafted"),
                        Contains(dir.file("t10k-labels-idx1-ubyte")) && Contains("label 10 of sample 1"));
    testing::write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({2, 2, 2}, {0, 0, 0, 0, 0, 0, 0, 0}));
    REQUIRE_THROWS_WITH(load_mnist_format(d, "crafted"), Contains("must have rank 1") && Contains("swapped"));
    testing::write_plain(dir.file("t10k-labels-idx1-ubyte"), idx_bytes({1}, {1}));
    testing::write_gzip(dir.file("t10k-images-idx3-ubyte.gz"), idx_bytes({1, 1, 2}, {0, 0}));
    REQUIRE_THROWS_WITH(load_mnist_format(d, "crafted"), Contains("2×2") && Contains("1×2"));
}

TEST_CASE("load_mnist_format reports a missing dataset directory", "[data]") {
    REQUIRE_THROWS_WITH(load_mnist_format("/nonexistent/probenet-data", "mnist"),
                        Contains("/nonexistent/probenet-data") && Contains("make data"));
}
