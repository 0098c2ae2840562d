// --retrain (experiments/common/retrain.h) and its pieces: the seeded 80/20 test split is
// deterministic, disjoint and covers the test set; the fixed/broken counts of a relabelling on a
// hand-made example; early stopping's patience rule on scripted accuracies; an end-to-end retraining
// of a small MLP on a 2000-sample MNIST prefix (files, summary, resume); bad input refused before
// any pass over the data.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "data/dataset_dirs.h"
#include "data/idx_test_files.h"
#include "experiments/common/early_stopping.h"
#include "experiments/common/experiment.h"
#include "experiments/common/options.h"
#include "experiments/common/relabel_stats.h"
#include "experiments/common/test_split.h"
#include "nn/models/mlp.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::experiments;
namespace fs = std::filesystem;

namespace {

Protocol small_mlp_protocol(int64_t hidden) {
    Protocol p;
    p.name = "small_mlp_mnist";
    p.dataset = "mnist";
    p.make_model = [hidden](Rng& rng) -> std::unique_ptr<nn::Module> { return nn::make_mlp(784, {hidden}, 10, rng); };
    p.optimizer = OptimizerKind::SGD;
    p.lr = 0.01f;
    p.momentum = 0.9f;
    p.batch = 32;
    p.probe_layers = {"input", "fc1"};
    return p;
}

int run_with(const Protocol& p, std::vector<std::string> args) {
    args.insert(args.begin(), p.name);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return run_experiment(p, static_cast<int>(argv.size()), argv.data());
}

std::vector<std::string> lines_of(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("the 80/20 test split is deterministic, disjoint and covers the test set", "[experiments][retrain]") {
    const TestSplit a = split_test_indices(10000), b = split_test_indices(10000);
    CHECK(a.selection == b.selection);
    CHECK(a.evaluation == b.evaluation);
    CHECK(a.selection.size() == 2000);
    CHECK(a.evaluation.size() == 8000);
    std::set<int64_t> all(a.selection.begin(), a.selection.end());
    all.insert(a.evaluation.begin(), a.evaluation.end());
    CHECK(all.size() == 10000);  // disjoint, since 2000 + 8000 distinct indices
    CHECK(*all.begin() == 0);
    CHECK(*all.rbegin() == 9999);
    CHECK(std::is_sorted(a.selection.begin(), a.selection.end()));
    CHECK(std::is_sorted(a.evaluation.begin(), a.evaluation.end()));
    // Another seed draws another split; not a prefix or every fifth sample.
    CHECK(split_test_indices(10000, 1).selection != a.selection);
    CHECK(a.selection != std::vector<int64_t>(a.evaluation.begin(), a.evaluation.begin() + 2000));
    CHECK(a.selection.back() > 9000);
    // Odd sizes round: 7 → 1 selected (round(1.4)), 13 → 3 (round(2.6)).
    CHECK(split_test_indices(7).selection.size() == 1);
    CHECK(split_test_indices(13).selection.size() == 3);
    CHECK_THROWS_AS(split_test_indices(1), Error);
}

TEST_CASE("subset copies the chosen samples with both labels", "[experiments][retrain]") {
    std::vector<uint8_t> pixels = {10, 11, 20, 21, 30, 31, 40, 41};  // 4 samples of shape (1, 1, 2)
    data::Dataset d = data::make_dataset("toy", pixels, {1, 1, 2}, data::Scaling::ZeroToOne, {0, 1, 2, 0}, 3);
    d.train_labels = {2, 1, 0, 1};
    const std::vector<int64_t> pick = {3, 1};
    const data::Dataset s = subset(d, pick, "[part]");
    CHECK(s.name == "toy[part]");
    CHECK(s.true_labels == std::vector<int32_t>{0, 1});
    CHECK(s.train_labels == std::vector<int32_t>{1, 1});
    CHECK((*s.pixels)[0] == 40);
    CHECK((*s.pixels)[3] == 21);
    const std::vector<int64_t> bad = {4};
    CHECK_THROWS_AS(subset(d, bad, ""), Error);
}

TEST_CASE("relabel counts: fixed and broken shares on a hand-made example", "[experiments][retrain]") {
    //                 row:  0  1  2  3  4  5  6  7
    const std::vector<int32_t> truth = {0, 1, 2, 3, 0, 1, 2, 3};
    const std::vector<int32_t> corrupt = {0, 1, 2, 0, 1, 2, 3, 3};  // rows 3,4,5,6 wrong; 0,1,2,7 correct
    const std::vector<int32_t> relabel = {0, 2, 2, 3, 0, 0, 3, 3};  // fixes 3,4; breaks 1; 5 wrong differently
    const RelabelStats s = relabel_stats(truth, corrupt, relabel);
    CHECK(s.n == 8);
    CHECK(s.wrong == 4);
    CHECK(s.correct == 4);
    CHECK(s.fixed == 2);
    CHECK(s.broken == 1);
    CHECK(s.relabeled_correct == 5);  // rows 0, 2, 3, 4, 7
    CHECK(s.fixed_share() == Approx(0.5));
    CHECK(s.broken_share() == Approx(0.25));
    CHECK(s.corrupted_correct_share() == Approx(0.5));
    CHECK(s.relabeled_correct_share() == Approx(5.0 / 8));
    // p = 0: nothing wrong, the fixed share is undefined (NaN, reported as null).
    CHECK(std::isnan(relabel_stats(truth, truth, relabel).fixed_share()));
    CHECK_THROWS_AS(relabel_stats(truth, corrupt, {0, 1}), Error);
}

TEST_CASE("early stopping: patience counts epochs without a strict improvement", "[experiments][retrain]") {
    EarlyStopping stop(3);
    const std::vector<double> acc = {.5, .6, .6, .55, .58, .9};
    int stopped_after = 0;
    for (size_t i = 0; i < acc.size() && !stop.should_stop(); ++i) {
        stop.record(static_cast<int>(i) + 1, acc[i]);
        stopped_after = static_cast<int>(i) + 1;
    }
    CHECK(stopped_after == 5);  // the equal .6 at epoch 3 did not reset; .9 is never reached
    CHECK(stop.best_epoch() == 2);
    CHECK(stop.best() == Approx(.6));

    EarlyStopping resets(2);
    for (double a : {.5, .4, .6, .5}) resets.record(resets.best_epoch() + resets.since_best() + 1, a);
    CHECK_FALSE(resets.should_stop());  // .6 at epoch 3 reset the counter
    CHECK(resets.best_epoch() == 3);

    EarlyStopping never(0);  // --patience 0: all epochs run
    for (int e = 1; e <= 10; ++e) never.record(e, 1.0 / e);
    CHECK_FALSE(never.should_stop());
    CHECK(never.best_epoch() == 1);
}

TEST_CASE("retrain mode: --retrain without a trained model, or with --no-probe, is refused at parse time",
          "[experiments][retrain]") {
    const Protocol p = small_mlp_protocol(16);
    const auto parse = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "x");
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        return parse_options(p, static_cast<int>(argv.size()), argv.data());
    };
    CHECK_THROWS_WITH(parse({"--retrain", "--max-epochs", "0"}), Catch::Contains("--checkpoint"));
    CHECK_THROWS_WITH(parse({"--retrain", "--no-probe"}), Catch::Contains("--no-probe"));
    CHECK_THROWS_WITH(parse({"--retrain", "--patience", "-1"}), Catch::Contains("--patience"));
    CHECK(parse({"--retrain", "--checkpoint", "m.safetensors", "--max-epochs", "0"}).retrain);
    const Options o = parse({"--retrain"});
    CHECK(o.retrain_epochs == 30);
    CHECK(o.patience == 3);
}

TEST_CASE("retrain mode end to end: a small MLP on a 2000-sample MNIST prefix", "[experiments][retrain][mnist]") {
    const std::string mnist = data::testing::dataset_dir("mnist");
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(mnist);
    data::testing::TempDir dir;
    const std::string out = (dir.path / "run").string();
    const Protocol p = small_mlp_protocol(32);
    const std::vector<std::string> common = {"--data", mnist, "--train-size", "2000", "--corrupt", "0.5",
                                             "--threads", "2", "--out", out};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = common;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    REQUIRE(run_with(p, with({"--max-epochs", "3", "--retrain", "--retrain-epochs", "2", "--patience", "0"})) == 0);
    for (const char* f : {"retrain_corrupted.csv", "retrain_true.csv", "retrain.svg", "summary.json",
                          "retrain_corrupted.safetensors", "retrain_true.safetensors", "model.safetensors"})
        CHECK(fs::exists(fs::path(out) / f));
    const std::vector<std::string> csv = lines_of(fs::path(out) / "retrain_true.csv");
    REQUIRE(csv.size() == 4);  // header, epoch 0 (memorized), 2 epochs
    CHECK(csv[0] == "epoch,train_acc_relabeled,loss,test80_acc,test20_acc,seconds");
    CHECK(csv[3].rfind("2,", 0) == 0);

    std::ifstream in(fs::path(out) / "summary.json");
    const nlohmann::json s = nlohmann::json::parse(in);
    const nlohmann::json& r = s.at("retrain");
    CHECK(r.at("split").at("selection") == 2000);
    for (const char* set : {"corrupted", "true"}) {
        const nlohmann::json& x = r.at(set);
        const std::string best = x.at("best_layer");
        CHECK((best == "input" || best == "fc1"));
        // The best layer is the one with the highest 20 % accuracy.
        for (const auto& [layer, acc] : x.at("masc_test20_per_layer").items())
            CHECK(acc.get<double>() <= x.at("masc_test20_per_layer").at(best).get<double>());
        const nlohmann::json& c = x.at("counts");
        CHECK(c.at("n") == 2000);
        CHECK(c.at("wrong").get<int64_t>() + c.at("correct").get<int64_t>() == 2000);
        CHECK(x.at("fixed_share").get<double>() ==
              Approx(c.at("fixed").get<double>() / c.at("wrong").get<double>()));
        CHECK(x.at("broken_share").get<double>() ==
              Approx(c.at("broken").get<double>() / c.at("correct").get<double>()));
        CHECK(x.at("retrained_test80").get<double>() > 0.1);
        CHECK(x.at("epochs_run") == 2);
    }
    // True-label subspaces relabel more training rows correctly than the corruption left.
    CHECK(r.at("true").at("correct_share_relabeled").get<double>() >
          r.at("true").at("correct_share_corrupted").get<double>());

    // --resume with more epochs continues each set after its epoch 2 instead of starting over.
    REQUIRE(run_with(p, with({"--max-epochs", "3", "--resume", "--retrain", "--retrain-epochs", "3", "--patience",
                              "0"})) == 0);
    const std::vector<std::string> resumed = lines_of(fs::path(out) / "retrain_true.csv");
    REQUIRE(resumed.size() == 5);
    CHECK(resumed[3] == csv[3]);  // epoch 2 kept as it was
    CHECK(resumed[4].rfind("3,", 0) == 0);

    // A checkpoint of another architecture: an error (exit code 1) before any retraining file is written.
    const std::string other = (dir.path / "other").string();
    CHECK(run_with(small_mlp_protocol(24), {"--data", mnist, "--train-size", "2000", "--threads", "2", "--checkpoint",
                                            out + "/model.safetensors", "--retrain", "--out", other}) == 1);
    CHECK_FALSE(fs::exists(fs::path(other) / "retrain_corrupted.csv"));
}
