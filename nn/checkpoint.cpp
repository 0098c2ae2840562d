#include "nn/checkpoint.h"

#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::nn {

static_assert(std::endian::native == std::endian::little, "checkpoints assume a little-endian host");

using json = nlohmann::ordered_json;

void save_checkpoint(const Module& model, const std::string& path, const std::map<std::string, std::string>& metadata) {
    const auto params = model.named_parameters();
    json header;
    json meta = {{"format", "probenet"}};
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
    uint64_t offset = 0;
    for (const auto& [name, var] : params) {
        const uint64_t bytes = static_cast<uint64_t>(var.value().numel()) * sizeof(float);
        header[name] = {{"dtype", "F32"}, {"shape", var.value().shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data block to 8 bytes, as the spec recommends
    const uint64_t header_len = text.size();

    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        PROBENET_CHECK(out, "save_checkpoint: cannot open '", tmp, "' for writing (does the directory exist?)");
        out.write(reinterpret_cast<const char*>(&header_len), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const auto& [name, var] : params) {
            const std::vector<float> values = var.value().to_vector();
            out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * 4));
        }
        out.flush();
        PROBENET_CHECK(out.good(), "save_checkpoint: writing '", tmp, "' failed (disk full?)");
    }
    std::filesystem::rename(tmp, path);
}

void load_checkpoint(Module& model, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    PROBENET_CHECK(in, "load_checkpoint: cannot open '", path, "'");
    const auto file_size = static_cast<uint64_t>(std::filesystem::file_size(path));
    uint64_t header_len = 0;
    in.read(reinterpret_cast<char*>(&header_len), 8);
    PROBENET_CHECK(in && header_len > 0 && header_len <= file_size - 8, "load_checkpoint: '", path,
                   "' is not a safetensors file (bad header length ", header_len, ")");
    std::string text(header_len, '\0');
    in.read(text.data(), static_cast<std::streamsize>(header_len));
    json header;
    try {
        header = json::parse(text);
    } catch (const json::exception& e) {
        throw Error("load_checkpoint: '" + path + "' has an unreadable JSON header: " + e.what());
    }
    const uint64_t data_start = 8 + header_len;

    std::string problems;
    std::set<std::string> expected;
    const auto params = model.named_parameters();
    for (const auto& [name, var] : params) {
        expected.insert(name);
        if (!header.contains(name)) {
            problems += "\n  missing: " + name + " " + var.value().shape_str();
            continue;
        }
        const json& entry = header[name];
        if (entry.value("dtype", "") != "F32") problems += "\n  " + name + ": dtype " + entry.value("dtype", "?") + ", expected F32";
        const Shape shape = entry.at("shape").get<Shape>();
        if (shape != var.value().shape())
            problems += "\n  " + name + ": shape " + shape_str(shape) + " in the file, " + var.value().shape_str() +
                        " in the model";
    }
    for (const auto& [key, value] : header.items())
        if (key != "__metadata__" && !expected.count(key)) problems += "\n  unexpected: " + key;
    PROBENET_CHECK(problems.empty(), "load_checkpoint: '", path, "' does not fit this model:", problems);

    for (auto& [name, var] : params) {
        const auto offsets = header[name].at("data_offsets").get<std::vector<uint64_t>>();
        const uint64_t bytes = static_cast<uint64_t>(var.value().numel()) * 4;
        PROBENET_CHECK(offsets.size() == 2 && offsets[1] - offsets[0] == bytes && data_start + offsets[1] <= file_size,
                       "load_checkpoint: '", path, "': data_offsets of ", name, " are inconsistent or past the end "
                       "of the file (truncated?)");
        std::vector<float> values(static_cast<size_t>(var.value().numel()));
        in.seekg(static_cast<std::streamoff>(data_start + offsets[0]));
        in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(bytes));
        PROBENET_CHECK(in, "load_checkpoint: '", path, "': could not read ", name);
        Tensor loaded = Tensor::from_vector(var.value().shape(), values, var.value().device());
        Var target = var;
        ops::copy(loaded, target.value());
    }
}

}  // namespace probenet::nn
