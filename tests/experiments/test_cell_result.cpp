// A grid cell's summary.json read back: integer fields refused, naming the field and the file, when they
// hold a float, a negative number or one past the field's range, instead of being cast with undefined
// behaviour (nlohmann's get<int> static_casts whatever number it finds).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "data/idx_test_files.h"
#include "experiments/grid/cell_result.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::experiments;
using probenet::data::testing::TempDir;
using Catch::Contains;

namespace {

std::string summary(const std::string& run, const std::string& train_size) {
    return R"j({"experiment":"mlp_mnist","corrupt":0.8,"run":)j" + run + R"j(,"train_size":)j" + train_size +
           R"j(,"epochs_trained":3,"model":{"test_acc":0.5,"train_acc_corrupt":0.9,"train_acc_true":0.3},"layers":[)j"
           R"j({"probe":"masc","threshold":"0.99","layer":"fc1","label":"FC(128)","subspaces":"corrupted","test":0.6,)j"
           R"j("train":{"corrupted":0.7,"true":0.4}},)j"
           R"j({"probe":"masc","threshold":"0.99","layer":"fc1","label":"FC(128)","subspaces":"true","test":0.9}],)j"
           R"j("best_layer":[{"probe":"masc","threshold":"0.99","subspaces":"corrupted","test":0.6,"layer":"fc1"},)j"
           R"j({"probe":"masc","threshold":"0.99","subspaces":"true","test":0.9,"layer":"fc1"}]})j";
}

}  // namespace

TEST_CASE("a cell summary's integer fields are checked before conversion", "[experiments][paper]") {
    TempDir dir;
    const std::string path = (dir.path / "summary.json").string();
    const auto reads = [&](const std::string& text) {
        std::ofstream(path) << text;
        return read_cell_result(dir.path.string());
    };
    const CellResult ok = reads(summary("2", "10000"));
    CHECK(ok.run == 2);
    CHECK(ok.train_size == 10000);
    CHECK(ok.epochs == 3);
    for (const char* bad : {"1e300", "1.5", "-1", "2147483648"}) {
        INFO(bad);
        CHECK_THROWS_WITH(reads(summary(bad, "10000")),
                          Contains("\"run\" holds") && Contains("not a non-negative integer of at most 2147483647") && Contains(path));
    }
    CHECK_THROWS_WITH(reads(summary("1", "18446744073709551615")), Contains("\"train_size\" holds") && Contains(path));
}
