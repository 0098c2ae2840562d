// --resume: a run stopped after epoch 1 and resumed from train_state.safetensors ends bit-identical
// to an uninterrupted run; a state from another run is refused with every difference named.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "experiments/common/metrics_csv.h"
#include "experiments/common/train_state.h"
#include "experiments/common/trainer.h"
#include "nn/models/mlp.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tensor/error.h"
#include "tensor/ops.h"

using namespace probenet;
using namespace probenet::experiments;
namespace fs = std::filesystem;

namespace {
data::Dataset random_dataset(int64_t n, Rng& rng) {
    std::vector<uint8_t> pixels(static_cast<size_t>(n * 6));
    for (uint8_t& p : pixels) p = static_cast<uint8_t>(rng.next_u32() & 255);
    std::vector<int32_t> labels;
    for (int64_t i = 0; i < n; ++i) labels.push_back(static_cast<int32_t>(rng.next_u32() % 3));
    return data::make_dataset("random", std::move(pixels), {1, 2, 3}, data::Scaling::MinusOneToOne,
                              std::move(labels), 3);
}

std::vector<float> all_parameters(const nn::Module& model) {
    std::vector<float> out;
    for (const auto& [name, p] : model.named_parameters()) {
        const std::vector<float> v = p.value().to_vector();
        out.insert(out.end(), v.begin(), v.end());
    }
    return out;
}

const RunIdentity kIdentity{{"experiment", "test"}, {"corrupt", "0.5"}, {"seed", "1"}};
}  // namespace

TEST_CASE("a resumed run makes exactly the updates of an uninterrupted one", "[experiments][resume]") {
    Rng data_rng(3);
    const data::Dataset train_set = random_dataset(50, data_rng), test_set = random_dataset(10, data_rng);
    const fs::path dir = fs::temp_directory_path() / "probenet_tests";
    fs::create_directories(dir);
    const std::string state = (dir / "train_state.safetensors").string();

    Rng a(1), b(2);
    auto whole = nn::make_mlp(6, {8, 8}, 3, a);
    auto resumed = nn::make_mlp(6, {8, 8}, 3, b);  // other weights, overwritten by the state
    optim::SGD opt_whole(whole->parameters(), {.lr = 0.05f, .momentum = 0.9f});
    optim::SGD opt_resumed(resumed->parameters(), {.lr = 0.05f, .momentum = 0.9f});

    std::vector<EpochStats> whole_epochs;
    train(*whole, opt_whole, train_set, test_set, TrainConfig{1, 3, 2.0, 8}, [&](const EpochStats& e) {
        if (e.epoch == 1) save_train_state(state, *whole, opt_whole, e.epoch, kIdentity);
        whole_epochs.push_back(e);
    });
    REQUIRE(load_train_state(state, *resumed, opt_resumed, kIdentity) == 1);
    std::vector<EpochStats> resumed_epochs;
    train(*resumed, opt_resumed, train_set, test_set, TrainConfig{2, 3, 2.0, 8},
          [&](const EpochStats& e) { resumed_epochs.push_back(e); });

    REQUIRE(resumed_epochs.size() == 2);
    REQUIRE(resumed_epochs.front().epoch == 2);
    REQUIRE(resumed_epochs.back().loss == whole_epochs.back().loss);
    REQUIRE(all_parameters(*resumed) == all_parameters(*whole));
}

TEST_CASE("a training state from another run is refused", "[experiments][resume]") {
    const fs::path dir = fs::temp_directory_path() / "probenet_tests";
    fs::create_directories(dir);
    const std::string state = (dir / "other_state.safetensors").string();
    Rng rng(1);
    auto model = nn::make_mlp(6, {8}, 3, rng);
    optim::SGD opt(model->parameters(), {.lr = 0.05f, .momentum = 0.9f});
    save_train_state(state, *model, opt, 4, kIdentity);

    RunIdentity other = kIdentity;
    other["corrupt"] = "0.8";
    REQUIRE_THROWS_WITH(load_train_state(state, *model, opt, other),
                        Catch::Contains("corrupt: 0.5 in the file, 0.8 now") && Catch::Contains(state));

    auto wider = nn::make_mlp(6, {9}, 3, rng);
    optim::SGD opt_wider(wider->parameters(), {.lr = 0.05f});
    REQUIRE_THROWS_WITH(load_train_state(state, *wider, opt_wider, kIdentity),
                        Catch::Contains("model.fc1.linear.weight: shape (8, 6) in the file, (9, 6) in the model"));
}

// The file's bytes with `from` replaced by `to` (of the same length, so the header stays valid).
void patch_file(const std::string& path, const std::string& from, const std::string& to) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const size_t at = bytes.find(from);
    REQUIRE(at != std::string::npos);
    REQUIRE(from.size() == to.size());
    bytes.replace(at, from.size(), to);
    std::ofstream(path, std::ios::binary) << bytes;
}

// Found by fuzz_train_state (fuzz/README.md): an epoch or step count that is not a number made
// std::stoi throw std::invalid_argument, which ended the program instead of naming the file.
TEST_CASE("a training state whose epoch or Adam step is not a whole number is refused by name",
          "[experiments][resume]") {
    const fs::path dir = fs::temp_directory_path() / "probenet_tests";
    fs::create_directories(dir);
    const std::string state = (dir / "bad_counts.safetensors").string();
    Rng rng(2);
    auto model = nn::make_mlp(6, {8}, 3, rng);
    optim::SGD sgd(model->parameters(), {.lr = 0.05f, .momentum = 0.9f});
    for (const char* epoch : {"A2", "-2", "4x"}) {
        save_train_state(state, *model, sgd, 42, kIdentity);
        patch_file(state, "\"epoch\":\"42\"", std::string("\"epoch\":\"") + epoch + "\"");
        REQUIRE_THROWS_WITH(load_train_state(state, *model, sgd, kIdentity),
                            Catch::Contains("metadata 'epoch'") && Catch::Contains("is not a whole number") &&
                                Catch::Contains(state));
    }

    optim::Adam adam(model->parameters(), {});
    for (auto& p : model->parameters()) {
        autograd::GradSlot slot = autograd::grad_slot(*p.impl());
        ops::copy(Tensor::from_vector(p.shape(), std::vector<float>(static_cast<size_t>(p.value().numel()), 0.1f)),
                  slot.grad);
    }
    adam.step();
    save_train_state(state, *model, adam, 4, kIdentity);
    patch_file(state, "\"optimizer.0.step\":\"1\"", "\"optimizer.0.step\":\"?\"");
    REQUIRE_THROWS_WITH(load_train_state(state, *model, adam, kIdentity),
                        Catch::Contains("Adam step of parameter 0") && Catch::Contains("'?' is not a whole number"));
}

TEST_CASE("metrics.csv reads back what was written", "[experiments][resume]") {
    const fs::path path = fs::temp_directory_path() / "probenet_tests" / "metrics.csv";
    fs::create_directories(path.parent_path());
    std::vector<EpochStats> epochs{{1, 2.5, 0.25, 0.5, 0.75, 12.5}, {2, 1.25, 0.5, 0.625, 0.875, 11.0}};
    {
        std::ofstream out(path);
        out << format_metrics_csv(epochs);
    }
    const std::vector<EpochStats> back = read_metrics_csv(path.string());
    REQUIRE(back.size() == 2);
    REQUIRE(back[1].epoch == 2);
    REQUIRE(back[1].loss == 1.25);
    REQUIRE(back[1].test_acc == 0.875);
    {
        std::ofstream out(path, std::ios::app);
        out << "3,oops\n";
    }
    REQUIRE_THROWS_WITH(read_metrics_csv(path.string()), Catch::Contains("line 4"));
}
