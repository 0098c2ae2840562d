// nn::write_atomically: the file appears whole or not at all, and an old file survives a failed write.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "nn/atomic_write.h"
#include "tensor/error.h"

using namespace probenet;
namespace fs = std::filesystem;

namespace {
std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("write_atomically writes the whole content and leaves no temporary", "[nn][atomic]") {
    const fs::path dir = fs::temp_directory_path() / "probenet_tests_atomic";
    fs::create_directories(dir);
    const fs::path path = dir / "out.txt";
    fs::remove(path);
    nn::write_atomically(path.string(), [](std::ostream& out) { out << "first\n"; }, "test");
    REQUIRE(read_all(path) == "first\n");
    nn::write_atomically(path.string(), [](std::ostream& out) { out << "second"; }, "test");
    REQUIRE(read_all(path) == "second");
    REQUIRE_FALSE(fs::exists(path.string() + ".tmp"));

    // A writer that fails halfway: the old file is untouched and the temporary is gone.
    REQUIRE_THROWS_WITH(nn::write_atomically(
                            path.string(),
                            [](std::ostream& out) {
                                out << "half";
                                throw std::runtime_error("writer failed");
                            },
                            "test"),
                        "writer failed");
    REQUIRE(read_all(path) == "second");
    REQUIRE_FALSE(fs::exists(path.string() + ".tmp"));
    fs::remove_all(dir);
}

TEST_CASE("write_atomically names the caller and the file when the folder is missing", "[nn][atomic]") {
    REQUIRE_THROWS_WITH(nn::write_atomically("/nonexistent_probenet/x.csv", [](std::ostream&) {}, "write_metrics"),
                        Catch::Contains("write_metrics") && Catch::Contains("/nonexistent_probenet/x.csv.tmp") &&
                            Catch::Contains("output folder"));
}
