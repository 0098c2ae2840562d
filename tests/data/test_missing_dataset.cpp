// A test that needs a dataset skips without it locally, saying how to get the data, and fails under
// CI (CI=true), so that a missing dataset never reads as a pass. Checked by running this test
// binary itself on one such test with $PROBENET_TEST_DATA pointing at an empty folder.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "data/idx_test_files.h"
#include "run_command.h"

namespace {

using Exit = probenet::testing::CommandResult;

Exit run_self(const std::string& env, const std::string& test_name, const probenet::data::testing::TempDir& dir) {
    return probenet::testing::run_command(
        "env -u CI " + env + " /proc/" + std::to_string(getpid()) + "/exe '" + test_name + "'", dir.file("self.log"));
}

}  // namespace

TEST_CASE("a missing dataset skips locally with how to get it, and fails under CI", "[data][skip]") {
    probenet::data::testing::TempDir dir;
    const std::string empty = "PROBENET_TEST_DATA='" + dir.path.string() + "'";
    const std::string test = "Fashion-MNIST loads from its gzipped IDX files";
    const Exit local = run_self(empty, test, dir);
    INFO(local.output);
    CHECK(local.code == 0);
    CHECK_THAT(local.output, Catch::Contains("SKIPPED") && Catch::Contains("make data"));
    const Exit ci = run_self(empty + " CI=true", test, dir);
    INFO(ci.output);
    CHECK(ci.code != 0);
    CHECK_THAT(ci.output, Catch::Contains("CI=true and the dataset is missing") && Catch::Contains("make data"));
}
