#include "nn/safetensors.h"

#include <bit>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/atomic_write.h"
#include "tensor/error.h"

namespace probenet::nn {

static_assert(std::endian::native == std::endian::little, "safetensors files assume a little-endian host");

using json = nlohmann::ordered_json;

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
    json header;
    json meta = {{"format", "probenet"}};
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = meta;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        PROBENET_CHECK(name != "__metadata__" && !header.contains(name), "write_safetensors: '", path,
                       "': tensor name '", name, "' is reserved or repeated");
        const uint64_t bytes = static_cast<uint64_t>(tensor.numel()) * sizeof(float);
        header[name] = {{"dtype", "F32"}, {"shape", tensor.shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // align the data block to 8 bytes, as the spec recommends
    const uint64_t header_len = text.size();

    write_atomically(
        path,
        [&](std::ostream& out) {
            out.write(reinterpret_cast<const char*>(&header_len), 8);
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            for (const auto& [name, tensor] : tensors) {
                const std::vector<float> values = tensor.to_vector();
                out.write(reinterpret_cast<const char*>(values.data()),
                          static_cast<std::streamsize>(values.size() * 4));
            }
        },
        "write_safetensors");
}

SafetensorsFile read_safetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    PROBENET_CHECK(in, "read_safetensors: cannot open '", path, "'");
    const auto file_size = static_cast<uint64_t>(std::filesystem::file_size(path));
    uint64_t header_len = 0;
    in.read(reinterpret_cast<char*>(&header_len), 8);
    PROBENET_CHECK(in && header_len > 0 && header_len <= file_size - 8, "read_safetensors: '", path,
                   "' is not a safetensors file (bad header length ", header_len, ")");
    std::string text(header_len, '\0');
    in.read(text.data(), static_cast<std::streamsize>(header_len));
    json header;
    try {
        header = json::parse(text);
    } catch (const json::exception& e) {
        throw Error("read_safetensors: '" + path + "' has an unreadable JSON header: " + e.what());
    }
    PROBENET_CHECK(header.is_object(), "read_safetensors: '", path, "': the header is not a JSON object");
    const uint64_t data_start = 8 + header_len;

    SafetensorsFile file;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            for (const auto& [k, v] : entry.items())
                file.metadata[k] = v.is_string() ? v.get<std::string>() : v.dump();
            continue;
        }
        try {
            const std::string dtype = entry.at("dtype").get<std::string>();
            PROBENET_CHECK(dtype == "F32", "read_safetensors: '", path, "': tensor '", name, "' has dtype ", dtype,
                           "; probenet reads F32 only");
            const Shape shape = entry.at("shape").get<Shape>();
            int64_t numel = 1;
            for (int64_t d : shape) {
                PROBENET_CHECK(d >= 0, "read_safetensors: '", path, "': tensor '", name, "' has a negative dimension");
                numel *= d;
            }
            const auto offsets = entry.at("data_offsets").get<std::vector<uint64_t>>();
            const uint64_t bytes = static_cast<uint64_t>(numel) * 4;
            PROBENET_CHECK(offsets.size() == 2 && offsets[1] >= offsets[0] && offsets[1] - offsets[0] == bytes &&
                               data_start + offsets[1] <= file_size,
                           "read_safetensors: '", path, "': data_offsets of '", name,
                           "' are inconsistent with its shape or past the end of the file (truncated?)");
            std::vector<float> values(static_cast<size_t>(numel));
            in.seekg(static_cast<std::streamoff>(data_start + offsets[0]));
            in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(bytes));
            PROBENET_CHECK(in, "read_safetensors: '", path, "': could not read '", name, "'");
            file.tensors.emplace(name, Tensor::from_vector(shape, values));
        } catch (const json::exception& e) {
            throw Error("read_safetensors: '" + path + "': malformed header entry '" + name + "': " + e.what());
        }
    }
    return file;
}

}  // namespace probenet::nn
