// The experiment binaries end to end on small synthetic datasets in each format: `--help` works, two
// epochs of training and the probe write metrics.csv, layers.csv, summary.json and the figure; bad
// data ends in an error naming the file and a non-zero exit. The binaries are built next to their
// sources (CMakeLists.txt makes the test binary depend on them).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "data/idx_test_files.h"
#include "data/synthetic_datasets.h"
#include "run_command.h"

namespace fs = std::filesystem;
using namespace probenet::data;
using Catch::Contains;

namespace {

using Exit = probenet::testing::CommandResult;

// Runs ./experiments/<name> with `args`, output captured in `dir`/<name>.log.
Exit run_main(const std::string& name, const std::string& args, const testing::TempDir& dir) {
    return probenet::testing::run_command(std::string(PROBENET_EXPERIMENTS_DIR) + "/" + name + " " + args,
                                          dir.file(name + ".log"));
}

// Two epochs and the probe on the dataset in `data`; checks the exit and the files written.
void train_and_probe(const std::string& name, const std::string& data, const testing::TempDir& dir,
                     const std::string& extra = "") {
    const std::string out = dir.file("out_" + name);
    const Exit e = run_main(name, "--data '" + data + "' --out '" + out + "' --max-epochs 2 --corrupt 0.2 "
                                  "--threads 2 --device cpu " + extra, dir);
    INFO(e.output);
    REQUIRE(e.code == 0);
    for (const char* file : {"metrics.csv", "layers.csv", "summary.json", "layer_accuracy.svg", "model.safetensors"})
        CHECK(fs::is_regular_file(fs::path(out) / file));
    std::ifstream metrics(fs::path(out) / "metrics.csv");
    int lines = 0;
    for (std::string line; std::getline(metrics, line);) ++lines;
    CHECK(lines == 3);  // header + two epochs
    const Exit help = run_main(name, "--help", dir);
    CHECK(help.code == 0);
    CHECK_THAT(help.output, Contains("--data") && Contains("--max-epochs"));
}

void require_failure(const std::string& name, const std::string& data, const std::string& names_file,
                     const testing::TempDir& dir) {
    const Exit e = run_main(name, "--data '" + data + "' --out '" + dir.file("failed") + "' --max-epochs 1 "
                                  "--threads 2 --device cpu", dir);
    INFO(e.output);
    CHECK(e.code != 0);
    CHECK_THAT(e.output, Contains(name + ": error: ") && Contains(names_file) && Contains("where it comes from"));
}

}  // namespace

TEST_CASE("mlp_cifar10 and cnn_cifar10 train and probe on a synthetic CIFAR-10", "[experiments][mains]") {
    testing::TempDir dir;
    const std::string data = dir.file("cifar10");
    testing::write_cifar10(data, 20, 20);
    train_and_probe("mlp_cifar10", data, dir);
    train_and_probe("cnn_cifar10", data, dir);
}

TEST_CASE("alexnet_cifar100 trains and probes on a synthetic CIFAR-100", "[experiments][mains]") {
    testing::TempDir dir;
    const std::string data = dir.file("cifar100");
    testing::write_cifar100(data, 200, 100);  // test labels cover all 100 classes
    train_and_probe("alexnet_cifar100", data, dir, "--train-size 40 --batch 20");  // AlexNet is slow on 2 cores
}

TEST_CASE("alexnet_tiny_imagenet trains and probes on a synthetic Tiny ImageNet", "[experiments][mains]") {
    testing::TempDir dir;
    const std::string data = dir.file("tiny");
    testing::write_tiny_imagenet(data, 200, 1, 1);  // val labels cover all 200 classes the model outputs
    train_and_probe("alexnet_tiny_imagenet", data, dir, "--train-size 10 --batch 5");
}

TEST_CASE("the mains stop with the file named and a non-zero exit on bad data", "[experiments][mains]") {
    testing::TempDir dir;
    const std::string cifar10 = dir.file("cifar10"), cifar100 = dir.file("cifar100"), tiny = dir.file("tiny");
    testing::write_cifar10(cifar10, 2, 2);
    testing::Bytes bytes = testing::read_plain(cifar10 + "/data_batch_2.bin");
    bytes.resize(bytes.size() - 100);
    testing::write_plain(cifar10 + "/data_batch_2.bin", bytes);
    require_failure("cnn_cifar10", cifar10, cifar10 + "/data_batch_2.bin", dir);  // truncated record file

    testing::write_cifar100(cifar100, 3, 2);
    testing::write_plain(cifar100 + "/test.bin", testing::cifar_records({{0, 0}, {1, 100}}, 0));
    require_failure("alexnet_cifar100", cifar100, cifar100 + "/test.bin", dir);  // label >= class count

    testing::write_tiny_imagenet(tiny, 2, 2, 1);
    const std::string class_dir = tiny + "/train/n00001000/images";
    std::ofstream(class_dir + "/readme.txt") << "not an image";
    require_failure("alexnet_tiny_imagenet", tiny, class_dir + "/readme.txt", dir);  // non-image file
    fs::remove(class_dir + "/readme.txt");
    testing::write_image(class_dir + "/big.JPEG", 80, 64, 3, std::vector<uint8_t>(80 * 64 * 3, 9), false);
    require_failure("alexnet_tiny_imagenet", tiny, class_dir + "/big.JPEG", dir);  // wrong size
    fs::remove(class_dir + "/big.JPEG");
    fs::create_directories(tiny + "/train/n00000500/images");
    require_failure("alexnet_tiny_imagenet", tiny, tiny + "/train/n00000500/images", dir);  // empty class folder
    fs::remove_all(tiny + "/train/n00000500");
    fs::remove(tiny + "/val/val_annotations.txt");
    require_failure("alexnet_tiny_imagenet", tiny, tiny + "/val/val_annotations.txt", dir);  // no annotations
    require_failure("mlp_cifar10", dir.file("nowhere"), "data_batch_1.bin", dir);           // no folder
}
