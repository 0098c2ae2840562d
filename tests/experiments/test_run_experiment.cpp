// run_experiment end to end through ./experiments/mlp_mnist on a 600-sample prefix of MNIST (skipped
// without the dataset locally, failed under CI): the files are written, the flags reach them
// (--layers, --variance, --probes, --corrupt, --seed, --train-size, --max-epochs), a run stopped
// after epoch 1 and resumed to epoch 3 ends with the same model bytes as an uninterrupted one, and a
// run refused for a bad flag, layer, checkpoint or folder leaves nothing behind.
#include <catch2/catch.hpp>

#include <sys/file.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "data/dataset_dirs.h"
#include "data/idx_test_files.h"
#include "run_command.h"

namespace fs = std::filesystem;
using Catch::Contains;

namespace {

using Exit = probenet::testing::CommandResult;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

Exit mlp_mnist(const std::string& args, const probenet::data::testing::TempDir& dir) {
    return probenet::testing::run_command(std::string(PROBENET_EXPERIMENTS_DIR) + "/mlp_mnist --data '" +
                                              probenet::data::testing::dataset_dir("mnist") +
                                              "' --threads 2 --device cpu --train-size 600 " + args,
                                          dir.file("mlp_mnist.log"));
}

size_t lines(const std::string& text) {
    size_t n = 0;
    for (char c : text) n += c == '\n';
    return n;
}

}  // namespace

TEST_CASE("mlp_mnist on an MNIST prefix writes its files, honours its flags and resumes exactly",
          "[experiments][mains][mnist]") {
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(probenet::data::testing::dataset_dir("mnist"));
    probenet::data::testing::TempDir dir;
    const std::string flags = " --corrupt 0.4 --seed 7 --target-acc 1 ";
    const std::string whole = dir.file("whole");
    const Exit a = mlp_mnist("--out '" + whole + "' --max-epochs 3 --layers input,fc1 --variance 0.9,5 "
                             "--probes masc,ncm" + flags, dir);
    INFO(a.output);
    REQUIRE(a.code == 0);
    for (const char* file : {"metrics.csv", "model.safetensors", "train_state.safetensors", "layers.csv",
                             "summary.json", "layer_accuracy.svg", "run.lock"})
        CHECK(fs::is_regular_file(fs::path(whole) / file));
    CHECK(lines(slurp(whole + "/metrics.csv")) == 1 + 3);
    const std::string layers = slurp(whole + "/layers.csv");
    // 2 layers × (masc 0.9, masc 5, ncm) × 2 label sets, and the header.
    CHECK(lines(layers) == 1 + 2 * 3 * 2);
    CHECK_THAT(layers, Contains("\ninput,784,masc,0.9,corrupted,") && Contains("\nfc1,128,masc,5,true,") &&
                           Contains("\nfc1,128,ncm,,corrupted,"));
    CHECK_THAT(layers, !Contains("fc2"));
    const auto summary = nlohmann::json::parse(slurp(whole + "/summary.json"));
    CHECK(summary["corrupt"] == 0.4);
    CHECK(summary["seed"] == 7);
    CHECK(summary["train_size"] == 600);
    CHECK(summary["epochs_trained"] == 3);
    CHECK(summary["threshold"] == "0.9,5");
    CHECK(summary["model_source"] == "trained");

    // Stopped after epoch 1, resumed to 3: the same bytes as the uninterrupted run.
    const std::string parts = dir.file("parts");
    const Exit first = mlp_mnist("--out '" + parts + "' --max-epochs 1 --no-probe" + flags, dir);
    INFO(first.output);
    REQUIRE(first.code == 0);
    CHECK(lines(slurp(parts + "/metrics.csv")) == 1 + 1);
    const Exit rest = mlp_mnist("--out '" + parts + "' --max-epochs 3 --no-probe --resume" + flags, dir);
    INFO(rest.output);
    REQUIRE(rest.code == 0);
    CHECK_THAT(rest.output, Contains("resumed") && Contains("after epoch 1"));
    CHECK(slurp(parts + "/model.safetensors") == slurp(whole + "/model.safetensors"));
    CHECK(slurp(parts + "/train_state.safetensors") == slurp(whole + "/train_state.safetensors"));
}

TEST_CASE("mlp_mnist refuses bad options, checkpoints and folders before creating anything",
          "[experiments][mains][mnist][errors]") {
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(probenet::data::testing::dataset_dir("mnist"));
    probenet::data::testing::TempDir dir;
    const std::string out = dir.file("never/run1");
    const std::string not_a_model = dir.file("not_a_model.safetensors");
    std::ofstream(not_a_model) << "this is not a checkpoint";
    const std::string plain_file = dir.file("plain");
    std::ofstream(plain_file) << "x";
    struct Case {
        std::string args, says;
    };
    for (const Case& c : {Case{"--variance 1.5", "1.5"}, Case{"--variance 100000", "only 784 wide"},
                          Case{"--layers input,nope", "nope"}, Case{"--checkpoint '" + not_a_model + "'", not_a_model},
                          Case{"--resume", "train_state.safetensors"}}) {
        const Exit e = mlp_mnist("--out '" + out + "' --max-epochs 1 " + c.args, dir);
        INFO(c.args << "\n" << e.output);
        CHECK(e.code != 0);
        CHECK_THAT(e.output, Contains("mlp_mnist: error: ") && Contains(c.says));
        CHECK_FALSE(fs::exists(dir.file("never")));
    }
    const Exit unwritable = mlp_mnist("--out '" + plain_file + "/run1' --max-epochs 1", dir);
    INFO(unwritable.output);
    CHECK(unwritable.code != 0);
    CHECK_THAT(unwritable.output, Contains("--out") && Contains(plain_file));
    CHECK_THAT(unwritable.output, !Contains("epoch    1"));  // refused before training

    // A folder locked by another process (this one): refused with the holder's pid, nothing written.
    const std::string held = dir.file("held");
    fs::create_directories(held);
    const int fd = open((held + "/run.lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    const std::string pid = std::to_string(getpid()) + "\n";
    REQUIRE(write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
    const Exit busy = mlp_mnist("--out '" + held + "' --max-epochs 1 --no-probe", dir);
    close(fd);
    INFO(busy.output);
    CHECK(busy.code != 0);
    CHECK_THAT(busy.output, Contains("in use by another run") && Contains("pid " + std::to_string(getpid())));
    CHECK_FALSE(fs::exists(held + "/metrics.csv"));
}
