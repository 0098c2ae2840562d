// safetensors checkpoints: round trip, a file from an independent writer, clear refusals.
#include <catch2/catch.hpp>

#include <cmath>
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

// Crafted files that an unchecked reader would turn into a silently wrong model (issue: reliability).
TEST_CASE("crafted offsets, aliases, overflowing shapes and non-finite values are refused", "[nn][checkpoint]") {
    const fs::path path = temp_file("crafted.safetensors");
    const auto refuses = [&](const std::string& header, const std::vector<float>& data, const std::string& what) {
        write_by_hand(path, header, data);
        INFO(header);
        REQUIRE_THROWS_WITH(read_safetensors(path.string()),
                            Catch::Contains(what) && Catch::Contains(path.string()));
    };
    // Offsets near 2^64: data_start + end wraps around and used to pass the bounds check.
    refuses(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551600,18446744073709551608]}})",
            std::vector<float>(2, 1.0f), "past the end");
    // Two tensors on the same bytes.
    refuses(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
            std::vector<float>(2, 1.0f), "overlaps");
    // Partial overlap.
    refuses(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
            std::vector<float>(3, 1.0f), "overlaps");
    // A gap before a tensor, and trailing bytes after the last one.
    refuses(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", std::vector<float>(2, 1.0f), "belong to no tensor");
    refuses(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::vector<float>(2, 1.0f), "belong to no tensor");
    // Element count that overflows 64 bits: 2^32 · 2^32 · 10 (wraps to 0 unchecked), and 2^62 floats.
    refuses(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,10],"data_offsets":[0,0]}})", {}, "64 bits");
    refuses(R"({"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", {}, "64 bits");
    refuses(R"({"a":{"dtype":"F32","shape":[3074457345618258603,3,1],"data_offsets":[0,4]}})", {1.0f}, "64 bits");
    // Dimensions and offsets that are not non-negative integers. A 77-digit dimension parses as the float
    // 8.9e76, which nlohmann's get<int64_t> cast with undefined behaviour (fuzz_train_state, 2026-12-04).
    refuses(R"({"a":{"dtype":"F32","shape":[3,)" + std::string(77, '8') + R"(],"data_offsets":[0,12]}})",
            std::vector<float>(3, 1.0f), "not a non-negative integer");
    refuses(R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", {1.0f}, "holds 1.5, not a non-negative integer");
    refuses(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", {1.0f}, "holds -1, not a non-negative integer");
    refuses(R"({"a":{"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,4]}})", {1.0f},
            "not a non-negative integer of at most 9223372036854775807");
    refuses(R"({"a":{"dtype":"F32","shape":3,"data_offsets":[0,4]}})", {1.0f}, "shape of tensor 'a' is not a JSON array");
    refuses(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}})", {1.0f}, "data_offsets of tensor 'a' holds");
    refuses(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,1e30]}})", {1.0f}, "not a non-negative integer");
    // NaN and Inf weights.
    refuses(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", {1.0f, std::nanf("")}, "non-finite");
    refuses(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", {INFINITY, 1.0f}, "non-finite");
    // … which an explicit option accepts.
    write_by_hand(path, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", {INFINITY, 1.0f});
    REQUIRE(std::isinf(read_safetensors(path.string(), {.allow_non_finite = true}).tensors.at("a").to_vector()[0]));
    // A file shorter than the 8-byte length field.
    std::ofstream(path, std::ios::binary | std::ios::trunc) << "abc";
    REQUIRE_THROWS_WITH(read_safetensors(path.string()), Catch::Contains("shorter than"));
}

TEST_CASE("tensors listed out of data order, including an empty one, still tile and load", "[nn][checkpoint]") {
    const fs::path path = temp_file("tiled.safetensors");
    write_by_hand(path,
                  R"({"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},)"
                  R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                  {1.0f, 2.0f, 3.0f});
    const SafetensorsFile f = read_safetensors(path.string());
    REQUIRE(f.tensors.at("a").to_vector() == std::vector<float>{1.0f});
    REQUIRE(f.tensors.at("b").to_vector() == std::vector<float>{2.0f, 3.0f});
    REQUIRE(f.tensors.at("e").numel() == 0);
}
