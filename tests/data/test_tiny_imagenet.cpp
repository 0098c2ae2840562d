// Tiny ImageNet reader on a synthetic folder in the distributed layout: class order by wnid, files by
// name within a class, val ordered by class then name from val_annotations.txt, exact pixels for PNG
// files (RGB and grey → replicated), near-exact for flat JPEG ones, [0, 1] scaling; and each bad-data
// case ending in an error that names the file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "data/dataset_registry.h"
#include "data/tiny_imagenet.h"
#include "idx_test_files.h"
#include "synthetic_datasets.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;
namespace fs = std::filesystem;

namespace {

// HWC bytes → the scaled C×H×W floats the reader must give, grey replicated into three channels.
std::vector<float> expected_chw(const std::vector<uint8_t>& hwc, int channels) {
    std::vector<float> out(3 * 64 * 64);
    for (int c = 0; c < 3; ++c)
        for (int i = 0; i < 64 * 64; ++i)
            out[static_cast<size_t>(c * 4096 + i)] =
                scale_pixel(hwc[static_cast<size_t>(i * channels + (channels == 1 ? 0 : c))], Scaling::ZeroToOne);
    return out;
}

std::vector<uint8_t> flat_rgb(uint8_t r, uint8_t g, uint8_t b) {
    std::vector<uint8_t> hwc;
    for (int i = 0; i < 64 * 64; ++i) hwc.insert(hwc.end(), {r, g, b});
    return hwc;
}

struct Layout {
    testing::TempDir dir;
    fs::path root = dir.path;
    fs::path images(const std::string& wnid) const { return root / "train" / wnid / "images"; }
    fs::path val() const { return root / "val" / "images"; }

    // Three classes created out of order; file names whose byte order is not their numeric order.
    Layout() {
        for (const char* wnid : {"n10", "n02", "n01"}) fs::create_directories(images(wnid));
        fs::create_directories(val());
        testing::write_image((images("n02") / "n02_2.png").string(), 64, 64, 3, testing::tiny_image_bytes(22, 3), true);
        testing::write_image((images("n02") / "n02_10.png").string(), 64, 64, 3, testing::tiny_image_bytes(210, 3), true);
        testing::write_image((images("n01") / "b.png").string(), 64, 64, 1, testing::tiny_image_bytes(7, 1), true);
        testing::write_image((images("n01") / "a.JPEG").string(), 64, 64, 3, flat_rgb(200, 100, 30), false);
        testing::write_image((images("n10") / "z.JPEG").string(), 64, 64, 1, std::vector<uint8_t>(4096, 90), false);
        std::ofstream(root / "train" / "n01" / "n01_boxes.txt") << "a.JPEG\t0\t0\t10\t10\n";  // not read
        testing::write_image((val() / "val_3.png").string(), 64, 64, 3, testing::tiny_image_bytes(33, 3), true);
        testing::write_image((val() / "val_1.png").string(), 64, 64, 3, testing::tiny_image_bytes(11, 3), true);
        testing::write_image((val() / "val_0.png").string(), 64, 64, 3, testing::tiny_image_bytes(100, 3), true);
        testing::write_image((val() / "val_2.png").string(), 64, 64, 3, testing::tiny_image_bytes(22, 3), true);
        annotate({{"val_0.png", "n02"}, {"val_1.png", "n01"}, {"val_2.png", "n10"}, {"val_3.png", "n01"}});
    }
    void annotate(const std::vector<std::pair<std::string, std::string>>& lines) const {
        std::ofstream out(root / "val" / "val_annotations.txt");
        for (const auto& [file, wnid] : lines) out << file << '\t' << wnid << "\t1\t2\t40\t50\n";
    }
    std::string path() const { return root.string(); }
};

}  // namespace

TEST_CASE("Tiny ImageNet reader: class and file order, val annotations, exact pixels", "[data][tiny-imagenet]") {
    const Layout layout;
    const TrainTest tt = open("tiny-imagenet", layout.path());
    REQUIRE(tt.train.name == "tiny-imagenet/train");
    REQUIRE(tt.train.num_classes == 3);  // n01, n02, n10
    REQUIRE(tt.train.sample_shape == Shape{3, 64, 64});
    REQUIRE(tt.train.scaling == Scaling::ZeroToOne);
    // Train: n01 {a.JPEG, b.png}, n02 {n02_10.png, n02_2.png} (byte order), n10 {z.JPEG}.
    REQUIRE(tt.train.true_labels == std::vector<int32_t>{0, 0, 1, 1, 2});
    REQUIRE(tt.train.batch_images(1, 2).to_vector() == expected_chw(testing::tiny_image_bytes(7, 1), 1));
    REQUIRE(tt.train.batch_images(2, 3).to_vector() == expected_chw(testing::tiny_image_bytes(210, 3), 3));
    REQUIRE(tt.train.batch_images(3, 4).to_vector() == expected_chw(testing::tiny_image_bytes(22, 3), 3));
    // Flat JPEGs decode to their colour within a step or two; a grey JPEG is the same in all channels.
    const Tensor jpeg = tt.train.batch_images(0, 1);
    for (int64_t i : {int64_t{0}, int64_t{2047}, int64_t{4095}}) {
        CHECK(std::abs(jpeg.at({0, 0, i / 64, i % 64}) * 255.0f - 200.0f) <= 2.0f);
        CHECK(std::abs(jpeg.at({0, 1, i / 64, i % 64}) * 255.0f - 100.0f) <= 2.0f);
        CHECK(std::abs(jpeg.at({0, 2, i / 64, i % 64}) * 255.0f - 30.0f) <= 2.0f);
    }
    const std::vector<float> grey = tt.train.batch_images(4, 5).to_vector();
    for (size_t i = 0; i < 4096; ++i) {
        REQUIRE(grey[i] == grey[i + 4096]);
        REQUIRE(grey[i] == grey[i + 8192]);
    }
    CHECK(std::abs(grey[0] * 255.0f - 90.0f) <= 1.0f);
    // Val: by class (n01: val_1, val_3; n02: val_0; n10: val_2), then by name.
    REQUIRE(tt.test.name == "tiny-imagenet/test");
    REQUIRE(tt.test.true_labels == std::vector<int32_t>{0, 0, 1, 2});
    REQUIRE(tt.test.batch_images(0, 1).to_vector() == expected_chw(testing::tiny_image_bytes(11, 3), 3));
    REQUIRE(tt.test.batch_images(1, 2).to_vector() == expected_chw(testing::tiny_image_bytes(33, 3), 3));
    REQUIRE(tt.test.batch_images(2, 3).to_vector() == expected_chw(testing::tiny_image_bytes(100, 3), 3));
    REQUIRE(tt.test.batch_images(3, 4).to_vector() == expected_chw(testing::tiny_image_bytes(22, 3), 3));
}

TEST_CASE("Tiny ImageNet reader: bad data names the file", "[data][tiny-imagenet]") {
    SECTION("a non-image file in a class folder") {
        const Layout layout;
        std::ofstream(layout.images("n02") / "notes.txt") << "not an image\n";
        REQUIRE_THROWS_WITH(open("tiny-imagenet", layout.path()),
                            Contains((layout.images("n02") / "notes.txt").string()) && Contains("not an image") &&
                                Contains("val/val_annotations.txt") && Contains("cs231n"));
    }
    SECTION("an image of the wrong size") {
        const Layout layout;
        testing::write_image((layout.images("n10") / "small.png").string(), 32, 48, 3,
                             std::vector<uint8_t>(32 * 48 * 3, 5), true);
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains((layout.images("n10") / "small.png").string()) && Contains("32×48") &&
                                Contains("64×64"));
    }
    SECTION("an empty class folder") {
        const Layout layout;
        fs::create_directories(layout.images("n05"));
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains(layout.images("n05").string()) && Contains("empty class folder"));
    }
    SECTION("a class folder without images/") {
        const Layout layout;
        fs::create_directories(layout.root / "train" / "n07");
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains(layout.images("n07").string()) && Contains("missing"));
    }
    SECTION("missing val_annotations.txt") {
        const Layout layout;
        fs::remove(layout.root / "val" / "val_annotations.txt");
        REQUIRE_THROWS_WITH(open("tiny-imagenet", layout.path()),
                            Contains((layout.root / "val" / "val_annotations.txt").string()) && Contains("missing"));
    }
    SECTION("a val image without annotation, an annotation without image, an unknown wnid") {
        const Layout layout;
        layout.annotate({{"val_0.png", "n02"}, {"val_1.png", "n01"}, {"val_2.png", "n10"}});
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains((layout.val() / "val_3.png").string()) && Contains("has no line in"));
        layout.annotate({{"val_0.png", "n02"}, {"val_1.png", "n01"}, {"val_2.png", "n10"}, {"val_3.png", "n01"},
                         {"val_9.png", "n01"}});
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains("annotates val_9.png") && Contains((layout.val() / "val_9.png").string()));
        layout.annotate({{"val_0.png", "n02"}, {"val_1.png", "n01"}, {"val_2.png", "n99"}, {"val_3.png", "n01"}});
        REQUIRE_THROWS_WITH(load_tiny_imagenet(layout.path(), "t"),
                            Contains("val_annotations.txt") && Contains("n99, which is not a class folder"));
    }
    SECTION("a missing folder") {
        REQUIRE_THROWS_WITH(open("tiny-imagenet", "/nonexistent/tiny"),
                            Contains("/nonexistent/tiny: no such folder") && Contains("train/<wnid>/images/*.JPEG") &&
                                Contains("tiny-imagenet-200.zip"));
    }
}
