#include "nn/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <tuple>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/atomic_write.h"
#include "tensor/error.h"
#include "tensor/parse_number.h"

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

namespace {

// n·m without signed overflow; throws naming the file and tensor when it would overflow.
int64_t checked_mul(int64_t n, int64_t m, const std::string& path, const std::string& name) {
    int64_t out = 0;
    PROBENET_CHECK(!__builtin_mul_overflow(n, m, &out), "read_safetensors: '", path, "': the shape of tensor '", name,
                   "' has more elements than fit in 64 bits; the file is corrupt or not a probenet checkpoint");
    return out;
}

// A shape or data_offsets: a JSON array of whole numbers, each at most `max` (json_whole_number).
std::vector<uint64_t> json_naturals(const json& array, uint64_t max, const std::string& path, const std::string& name,
                                    const char* field) {
    const std::string what = "read_safetensors: '" + path + "': the " + field + " of tensor '" + name + "'";
    PROBENET_CHECK(array.is_array(), what, " is not a JSON array");
    std::vector<uint64_t> out;
    for (const json& v : array) out.push_back(json_whole_number(v, max, what));
    return out;
}

struct Extent {
    uint64_t begin, end;
    std::string name;
};

}  // namespace

SafetensorsFile read_safetensors(const std::string& path, const SafetensorsReadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    PROBENET_CHECK(in, "read_safetensors: cannot open '", path, "'");
    const auto file_size = static_cast<uint64_t>(std::filesystem::file_size(path));
    PROBENET_CHECK(file_size >= 8, "read_safetensors: '", path, "' is not a safetensors file (", file_size,
                   " bytes, shorter than the 8-byte header length)");
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
    const uint64_t data_size = file_size - data_start;  // no underflow: header_len <= file_size - 8

    // Pass 1: validate every entry (dtype, shape, offsets) before reading any data.
    struct Entry {
        std::string name;
        Shape shape;
        int64_t numel;
        uint64_t begin;
    };
    SafetensorsFile file;
    std::vector<Entry> entries;
    std::vector<Extent> extents;
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
            Shape shape;
            int64_t numel = 1;
            for (uint64_t d : json_naturals(entry.at("shape"), INT64_MAX, path, name, "shape")) {
                shape.push_back(static_cast<int64_t>(d));
                numel = checked_mul(numel, shape.back(), path, name);
            }
            const uint64_t bytes = static_cast<uint64_t>(checked_mul(numel, int64_t{sizeof(float)}, path, name));
            const auto offsets = json_naturals(entry.at("data_offsets"), UINT64_MAX, path, name, "data_offsets");
            // Compared without forming data_start + offset, which can wrap around 2^64.
            PROBENET_CHECK(offsets.size() == 2 && offsets[1] >= offsets[0] && offsets[1] - offsets[0] == bytes &&
                               offsets[1] <= data_size,
                           "read_safetensors: '", path, "': data_offsets of '", name,
                           "' are inconsistent with its shape ", shape_str(shape), " or past the end of the ",
                           data_size, "-byte data section (truncated?)");
            entries.push_back({name, shape, numel, offsets[0]});
            extents.push_back({offsets[0], offsets[1], name});
        } catch (const json::exception& e) {
            throw Error("read_safetensors: '" + path + "': malformed header entry '" + name + "': " + e.what());
        }
    }
    // The format requires the tensors to tile the data section: no gap, no overlap, no alias.
    std::sort(extents.begin(), extents.end(),
              [](const Extent& a, const Extent& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
    uint64_t covered = 0;
    for (const Extent& e : extents) {
        PROBENET_CHECK(e.begin <= covered, "read_safetensors: '", path, "': bytes [", covered, ", ", e.begin,
                       ") of the data section belong to no tensor (before '", e.name, "'); the file is corrupt");
        PROBENET_CHECK(e.begin >= covered, "read_safetensors: '", path, "': tensor '", e.name, "' overlaps the bytes "
                       "of another tensor; the file is corrupt or crafted");
        covered = e.end;
    }
    PROBENET_CHECK(covered == data_size, "read_safetensors: '", path, "': the last ", data_size - covered,
                   " bytes of the data section belong to no tensor; the file is corrupt");

    // Pass 2: read the values.
    for (const Entry& e : entries) {
        std::vector<float> values(static_cast<size_t>(e.numel));
        in.seekg(static_cast<std::streamoff>(data_start + e.begin));
        in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
        PROBENET_CHECK(in, "read_safetensors: '", path, "': could not read '", e.name, "'");
        if (!options.allow_non_finite)
            for (size_t i = 0; i < values.size(); ++i)
                PROBENET_CHECK(std::isfinite(values[i]), "read_safetensors: '", path, "': tensor '", e.name,
                               "' holds a non-finite value (", values[i], ") at element ", i,
                               "; the model it stores diverged. Retrain with a lower --lr, or load it with "
                               "non-finite values allowed");
        file.tensors.emplace(e.name, Tensor::from_vector(e.shape, values));
    }
    return file;
}

}  // namespace probenet::nn
