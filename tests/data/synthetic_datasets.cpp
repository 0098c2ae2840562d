// Synthetic datasets in the readers' formats; see synthetic_datasets.h.
#include "synthetic_datasets.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace probenet::data::testing {

namespace fs = std::filesystem;

namespace {
void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
}
}  // namespace

std::vector<uint8_t> cifar_records(const std::vector<std::vector<uint8_t>>& labels, uint32_t salt0, bool same_pixels) {
    std::vector<uint8_t> out;
    for (size_t r = 0; r < labels.size(); ++r) {
        out.insert(out.end(), labels[r].begin(), labels[r].end());
        for (int64_t j = 0; j < 3072; ++j) out.push_back(synthetic_byte(salt0 + (same_pixels ? 0u : static_cast<uint32_t>(r)), j));
    }
    return out;
}

void write_cifar10(const std::string& dir, int per_train_file, int test) {
    fs::create_directories(dir);
    int i = 0;
    for (int f = 1; f <= 5; ++f) {
        std::vector<std::vector<uint8_t>> labels;
        for (int r = 0; r < per_train_file; ++r, ++i) labels.push_back({static_cast<uint8_t>(i % 10)});
        write_bytes(fs::path(dir) / ("data_batch_" + std::to_string(f) + ".bin"), cifar_records(labels, 1000u * f));
    }
    std::vector<std::vector<uint8_t>> labels;
    for (int r = 0; r < test; ++r) labels.push_back({static_cast<uint8_t>((r + 3) % 10)});
    write_bytes(fs::path(dir) / "test_batch.bin", cifar_records(labels, 6000u, /*same_pixels=*/true));
}

void write_cifar100(const std::string& dir, int train, int test) {
    fs::create_directories(dir);
    std::vector<std::vector<uint8_t>> labels;
    for (int r = 0; r < train; ++r) labels.push_back({static_cast<uint8_t>(r % 100 / 5), static_cast<uint8_t>(r % 100)});
    write_bytes(fs::path(dir) / "train.bin", cifar_records(labels, 0));
    labels.clear();
    for (int r = 0; r < test; ++r)
        labels.push_back({static_cast<uint8_t>((r + 7) % 100 / 5), static_cast<uint8_t>((r + 7) % 100)});
    write_bytes(fs::path(dir) / "test.bin", cifar_records(labels, 5000, /*same_pixels=*/true));
}

std::vector<uint8_t> tiny_image_bytes(uint32_t salt, int channels) {
    std::vector<uint8_t> hwc(static_cast<size_t>(64 * 64 * channels));
    for (size_t j = 0; j < hwc.size(); ++j) hwc[j] = synthetic_byte(salt, static_cast<int64_t>(j));
    return hwc;
}

void write_image(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& hwc,
                 bool png) {
    REQUIRE(hwc.size() == static_cast<size_t>(width * height * channels));
    const int ok = png ? stbi_write_png(path.c_str(), width, height, channels, hwc.data(), width * channels)
                       : stbi_write_jpg(path.c_str(), width, height, channels, hwc.data(), 95);
    REQUIRE(ok != 0);
}

void write_tiny_imagenet(const std::string& dir, int classes, int per_class, int val_per_class) {
    const fs::path root(dir);
    fs::create_directories(root / "val" / "images");
    std::ofstream annotations(root / "val" / "val_annotations.txt");
    int val = 0;
    for (int c = classes - 1; c >= 0; --c) {
        char wnid[16];
        std::snprintf(wnid, sizeof wnid, "n%08d", 1000 + c);
        const fs::path images = root / "train" / wnid / "images";
        fs::create_directories(images);
        for (int i = 0; i < per_class; ++i)
            write_image((images / (std::string(wnid) + "_" + std::to_string(i) + ".JPEG")).string(), 64, 64, 3,
                        tiny_image_bytes(static_cast<uint32_t>(c * 100 + i), 3), /*png=*/false);
        for (int i = 0; i < val_per_class; ++i, ++val) {
            const std::string file = "val_" + std::to_string(val) + ".JPEG";
            write_image((root / "val" / "images" / file).string(), 64, 64, 3,
                        tiny_image_bytes(7, 3), /*png=*/false);
            annotations << file << '\t' << wnid << "\t0\t0\t63\t63\n";
        }
    }
    REQUIRE(annotations.good());
}

}  // namespace probenet::data::testing
