// Test helpers: small synthetic datasets written in each reader's on-disk format — CIFAR binary
// record files and a Tiny-ImageNet-layout folder whose images are PNG or JPEG files written by
// stb_image_write — with pixels that tests can recompute exactly.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet::data::testing {

// Pixel byte j of a synthetic sample identified by `salt` (any layout: the caller indexes it).
inline uint8_t synthetic_byte(uint32_t salt, int64_t j) {
    return static_cast<uint8_t>((salt * 131u + static_cast<uint32_t>(j) * 7u + static_cast<uint32_t>(j * j % 11)) & 255u);
}

// CIFAR records: for each record, its label bytes, then 3072 pixel bytes synthetic_byte(salt0 + r, j)
// (salt0 for every record when same_pixels).
std::vector<uint8_t> cifar_records(const std::vector<std::vector<uint8_t>>& labels, uint32_t salt0,
                                   bool same_pixels = false);

// The test (val) samples of these synthetic datasets all have the same pixels, so an untrained model
// predicts one class for all of them; with test labels covering every class its test accuracy is then
// above 0 (experiments report MASC's gain relative to it).
//
// CIFAR-10 binary layout in `dir`: five training files of `per_train_file` records and a test file of
// `test` records; label of training record i (counted over all five files) i % 10, salt 1000·file + i;
// test record i has label (i + 3) % 10 and salt 6000.
void write_cifar10(const std::string& dir, int per_train_file, int test);

// CIFAR-100 binary layout in `dir`: train.bin (fine label i % 100, coarse fine / 5, salt i) and
// test.bin (fine (i + 7) % 100, salt 5000).
void write_cifar100(const std::string& dir, int train, int test);

// A 64×64 image with `channels` (1 grey, 3 RGB) interleaved bytes synthetic_byte(salt, ·), written as
// PNG (lossless) or JPEG (quality 95) to `path`, whatever its name.
std::vector<uint8_t> tiny_image_bytes(uint32_t salt, int channels);
void write_image(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& hwc,
                 bool png);

// A Tiny-ImageNet layout in `dir`: classes wnids n<8 digits>, created in reverse order; per class
// `per_class` training JPEGs named <wnid>_<i>.JPEG (salt 100·class + i), and `val_per_class` val
// images val_<k>.JPEG per class, all with salt 7, listed in val_annotations.txt.
void write_tiny_imagenet(const std::string& dir, int classes, int per_class, int val_per_class);

}  // namespace probenet::data::testing
