// CIFAR-10 and CIFAR-100 binary readers on synthetic record files: file order across the five training
// files, exact pixels in C×H×W order with the [−1, 1] scaling, fine labels of CIFAR-100, and every
// bad-data case ending in an error that names the file (and, through data::open, the expected
// files and where the dataset comes from).
#include <catch2/catch.hpp>

#include <filesystem>

#include "data/cifar10.h"
#include "data/cifar100.h"
#include "data/dataset_registry.h"
#include "idx_test_files.h"
#include "synthetic_datasets.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;

namespace {
// The scaled pixels a synthetic record of salt `salt` must come back as.
std::vector<float> expected_record(uint32_t salt, Scaling scaling) {
    std::vector<float> out;
    for (int64_t j = 0; j < 3072; ++j) out.push_back(scale_pixel(testing::synthetic_byte(salt, j), scaling));
    return out;
}
}  // namespace

TEST_CASE("CIFAR-10 reader: five training files in order, exact pixels, labels", "[data][cifar]") {
    testing::TempDir dir;
    testing::write_cifar10(dir.path.string(), 3, 4);
    const TrainTest tt = open("cifar10", dir.path.string());
    REQUIRE(tt.train.name == "cifar10/train");
    REQUIRE(tt.train.size() == 15);
    REQUIRE(tt.test.size() == 4);
    REQUIRE(tt.train.sample_shape == Shape{3, 32, 32});
    REQUIRE(tt.train.num_classes == 10);
    REQUIRE(tt.train.scaling == Scaling::MinusOneToOne);
    for (int i = 0; i < 15; ++i) REQUIRE(tt.train.true_labels[static_cast<size_t>(i)] == i % 10);
    REQUIRE(tt.train.train_labels == tt.train.true_labels);
    REQUIRE(tt.test.true_labels == std::vector<int32_t>{3, 4, 5, 6});
    // Record 7 is the second of data_batch_3.bin; the first byte after the label is red (0, 0).
    const Tensor x = tt.train.batch_images(7, 8);
    REQUIRE(x.shape() == Shape{1, 3, 32, 32});
    REQUIRE(x.to_vector() == expected_record(3001, Scaling::MinusOneToOne));
    REQUIRE(x.at({0, 1, 0, 0}) == scale_pixel(testing::synthetic_byte(3001, 1024), Scaling::MinusOneToOne));
    REQUIRE(tt.test.batch_images(3, 4).to_vector() == expected_record(6000, Scaling::MinusOneToOne));
}

TEST_CASE("CIFAR-100 reader: fine labels, exact pixels", "[data][cifar]") {
    testing::TempDir dir;
    testing::write_cifar100(dir.path.string(), 120, 5);
    const TrainTest tt = open("cifar100", dir.path.string());
    REQUIRE(tt.train.size() == 120);
    REQUIRE(tt.test.size() == 5);
    REQUIRE(tt.train.num_classes == 100);
    REQUIRE(tt.train.true_labels[99] == 99);   // fine, not coarse (19)
    REQUIRE(tt.train.true_labels[105] == 5);
    REQUIRE(tt.test.true_labels == std::vector<int32_t>{7, 8, 9, 10, 11});
    REQUIRE(tt.train.batch_images(99, 100).to_vector() == expected_record(99, Scaling::MinusOneToOne));
    REQUIRE(tt.test.batch_images(0, 1).to_vector() == expected_record(5000, Scaling::MinusOneToOne));
}

TEST_CASE("CIFAR readers: bad data names the file", "[data][cifar]") {
    testing::TempDir dir;
    const std::string d = dir.path.string();
    testing::write_cifar10(d, 2, 2);
    // Truncated: the last record lost a byte.
    testing::Bytes bytes = testing::read_plain(dir.file("data_batch_4.bin"));
    bytes.pop_back();
    testing::write_plain(dir.file("data_batch_4.bin"), bytes);
    REQUIRE_THROWS_WITH(open("cifar10", d), Contains(dir.file("data_batch_4.bin")) && Contains("6145 bytes") &&
                                                Contains("3073-byte records") && Contains("truncated") &&
                                                Contains("data_batch_1.bin") && Contains("cs.toronto.edu"));
    // A label of 10.
    testing::write_cifar10(d, 2, 2);
    testing::write_plain(dir.file("test_batch.bin"), testing::cifar_records({{1}, {10}}, 0));
    REQUIRE_THROWS_WITH(load_cifar10(d, "cifar10"), Contains(dir.file("test_batch.bin")) &&
                                                        Contains("record 1 has label 10") && Contains("only 10 classes"));
    // A missing file, and a missing folder.
    std::filesystem::remove(dir.file("test_batch.bin"));
    REQUIRE_THROWS_WITH(open("cifar10", d), Contains(dir.file("test_batch.bin")) && Contains("missing"));
    REQUIRE_THROWS_WITH(open("cifar10", d + "/nowhere"), Contains(d + "/nowhere: no such folder") &&
                                                             Contains("test_batch.bin") && Contains("--data DIR"));

    testing::write_cifar100(d, 3, 2);
    testing::write_plain(dir.file("train.bin"), testing::cifar_records({{0, 0}, {19, 99}, {3, 100}}, 0));
    REQUIRE_THROWS_WITH(load_cifar100(d, "cifar100"), Contains(dir.file("train.bin")) &&
                                                          Contains("record 2 has label 100 (fine)"));
    testing::write_plain(dir.file("train.bin"), testing::cifar_records({{20, 0}}, 0));
    REQUIRE_THROWS_WITH(load_cifar100(d, "cifar100"), Contains("label 20 (coarse)"));
    // A CIFAR-10 file where CIFAR-100's is expected: 3073-byte records are not 3074-byte ones.
    testing::write_plain(dir.file("train.bin"), testing::cifar_records({{1}, {2}}, 0));
    REQUIRE_THROWS_WITH(open("cifar100", d), Contains(dir.file("train.bin")) && Contains("3074-byte records") &&
                                                 Contains("train.bin and test.bin"));
}
