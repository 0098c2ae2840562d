// safetensors checkpoints: round trip, a file from an independent writer, clear refusals.
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "nn/checkpoint.h"
#include "nn/linear.h"
#include "nn/models/mlp.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::nn;
namespace fs = std::filesystem;

namespace {
fs::path temp_file(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / "probenet_tests";
    fs::create_directories(dir);
    return dir / name;
}

// Writes a safetensors file by hand: u64 header length, JSON, raw little-endian floats.
void write_by_hand(const fs::path& path, const std::string& header_json, const std::vector<float>& data) {
    std::ofstream out(path, std::ios::binary);
    const uint64_t n = header_json.size();
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << header_json;
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 4));
}
}  // namespace

TEST_CASE("checkpoint round trip restores every parameter exactly", "[nn][checkpoint]") {
    Rng a(1), b(2);
    auto saved = make_mlp(6, {5, 4}, 3, a);
    auto loaded = make_mlp(6, {5, 4}, 3, b);
    const fs::path path = temp_file("roundtrip.safetensors");
    save_checkpoint(*saved, path.string(), {{"epoch", "3"}});
    REQUIRE_FALSE(fs::exists(path.string() + ".tmp"));
    load_checkpoint(*loaded, path.string());
    const auto x = saved->named_parameters(), y = loaded->named_parameters();
    REQUIRE(x.size() == y.size());
    for (size_t i = 0; i < x.size(); ++i) REQUIRE(x[i].second.value().to_vector() == y[i].second.value().to_vector());
    // The header is plain JSON that other tools can read.
    std::ifstream in(path, std::ios::binary);
    uint64_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 8);
    std::string header(n, '\0');
    in.read(header.data(), static_cast<std::streamsize>(n));
    REQUIRE_THAT(header, Catch::Contains("\"fc1.linear.weight\":{\"dtype\":\"F32\",\"shape\":[5,6]"));
    REQUIRE_THAT(header, Catch::Contains("\"epoch\":\"3\""));
}

TEST_CASE("a file from an independent writer loads", "[nn][checkpoint]") {
    Rng rng(1);
    Linear layer(2, 3, true, rng);
    const std::vector<float> weight{1, 2, 3, 4, 5, 6}, bias{-1, -2, -3};
    std::vector<float> data = bias;  // the writer chose another order than ours
    data.insert(data.end(), weight.begin(), weight.end());
    const fs::path path = temp_file("handmade.safetensors");
    write_by_hand(path,
                  R"({"bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                  R"("weight":{"dtype":"F32","shape":[3,2],"data_offsets":[12,36]}})",
                  data);
    load_checkpoint(layer, path.string());
    REQUIRE(layer.weight().value().to_vector() == weight);
    REQUIRE(layer.bias()->value().to_vector() == bias);
}

TEST_CASE("loading refuses wrong names, shapes, dtypes and truncated files, naming them", "[nn][checkpoint]") {
    Rng rng(1);
    Linear layer(2, 3, true, rng);
    const fs::path path = temp_file("bad.safetensors");
    write_by_hand(path,
                  R"({"weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                  R"("extra":{"dtype":"F32","shape":[1],"data_offsets":[24,28]}})",
                  std::vector<float>(7, 0.0f));
    REQUIRE_THROWS_WITH(load_checkpoint(layer, path.string()),
                        Catch::Contains("missing: bias") && Catch::Contains("weight: shape (2, 3) in the file, (3, 2)") &&
                            Catch::Contains("unexpected: extra") && Catch::Contains(path.string()));
    write_by_hand(path,
                  R"({"bias":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
                  R"("weight":{"dtype":"F32","shape":[3,2],"data_offsets":[6,30]}})",
                  std::vector<float>(2, 0.0f));
    REQUIRE_THROWS_WITH(load_checkpoint(layer, path.string()), Catch::Contains("dtype F16"));
    write_by_hand(path,
                  R"({"bias":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                  R"("weight":{"dtype":"F32","shape":[3,2],"data_offsets":[12,36]}})",
                  std::vector<float>(4, 0.0f));  // 16 of 36 data bytes
    REQUIRE_THROWS_WITH(load_checkpoint(layer, path.string()), Catch::Contains("truncated"));
    REQUIRE_THROWS_WITH(load_checkpoint(layer, "/nonexistent/x.safetensors"), Catch::Contains("cannot open"));
    std::ofstream(path, std::ios::binary) << "not a checkpoint at all";
    REQUIRE_THROWS_AS(load_checkpoint(layer, path.string()), Error);
}
