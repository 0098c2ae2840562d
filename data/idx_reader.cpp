// IDX reader: whole file into memory, gzip inflated when the first bytes say so (bounded by the
// size the IDX header implies), then the header and the exact data length are checked. See
// idx_reader.h for the format.
#include "data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "data/big_endian.h"
#include "tensor/error.h"

namespace probenet::data {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRefetch = "re-run `make data` to fetch it again";

std::vector<uint8_t> read_whole_file(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) {
        PROBENET_CHECK(!fs::is_symlink(fs::symlink_status(path, ec)), path,
                       ": is a link to a file that does not exist; ", kRefetch);
        throw Error(detail::concat(path, ": no such file; run `make data` to fetch the datasets into data/"));
    }
    PROBENET_CHECK(!fs::is_directory(st), path, ": is a directory, not an IDX file");

    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    PROBENET_CHECK(file != nullptr, path, ": cannot open: ", std::strerror(errno));
    std::vector<uint8_t> bytes;
    uint8_t chunk[1 << 16];
    size_t got;
    const uintmax_t size = fs::file_size(path, ec);
    if (!ec) bytes.reserve(static_cast<size_t>(size));
    while ((got = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
    PROBENET_CHECK(!std::ferror(file.get()), path, ": read error: ", std::strerror(errno));
    return bytes;
}

bool is_gzip(const std::vector<uint8_t>& bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// The total size (header + data) that an IDX file's header implies, once `n` bytes of it are known:
// nullopt while the header is still incomplete; `n` itself when the header is unreadable (parse_idx
// then reports what is wrong with it, so there is no point inflating further).
std::optional<uint64_t> idx_implied_size(const uint8_t* bytes, size_t n) {
    if (n < 4) return std::nullopt;
    const uint8_t rank = bytes[3];
    if (bytes[0] != 0 || bytes[1] != 0 || rank < 1 || rank > 4) return n;
    const size_t header = 4 + 4 * size_t(rank);
    if (n < header) return std::nullopt;
    uint64_t count = 1;
    for (size_t i = 0; i < rank; ++i) {
        const uint32_t d = read_big_endian_u32(bytes + 4 + 4 * i);
        if (__builtin_mul_overflow(count, uint64_t(d), &count)) return UINT64_MAX;
    }
    return count > UINT64_MAX - header ? UINT64_MAX : count + header;
}

// Inflates every gzip member of `in` (zlib checks each member's CRC-32 and length), incrementally: as
// soon as the IDX header is out, the size it implies bounds the output, so a small file that inflates
// to gigabytes (a "zip bomb", or a damaged stream) stops at that bound instead of filling memory.
// Deflate cannot compress better than 1032:1, so a header that implies more than that is refused at
// once. Anything after the last member that is not another member is an error, like trailing bytes in
// a plain file.
std::vector<uint8_t> gunzip(const std::vector<uint8_t>& in, const std::string& path) {
    PROBENET_CHECK(in.size() <= UINT_MAX, path, ": compressed file too large for one zlib call (",
                   in.size(), " bytes)");
    constexpr uint64_t kMaxDeflateRatio = 1032;
    z_stream zs{};
    PROBENET_CHECK(inflateInit2(&zs, 16 + MAX_WBITS) == Z_OK, path, ": zlib inflateInit2 failed");
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);

    std::vector<uint8_t> out(1 << 16);
    size_t produced = 0;
    std::optional<uint64_t> implied;  // header + data bytes, once the header is out
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    for (;;) {
        if (!implied && (implied = idx_implied_size(out.data(), produced))) {
            PROBENET_CHECK(*implied <= uint64_t(in.size()) * kMaxDeflateRatio, path, ": its IDX header implies ",
                           *implied, " bytes, more than ", in.size(), " compressed bytes can hold (deflate "
                           "compresses at most 1032:1); the header is corrupt; ", kRefetch);
            // One byte of room past the implied end, so that excess data shows up as such.
            out.resize(std::max<size_t>(produced, static_cast<size_t>(*implied) + 1));
        }
        if (implied && produced > *implied)
            throw Error(detail::concat(path, ": the gzip stream holds more than the ", *implied, " bytes its IDX header "
                                       "implies; the file is corrupt or not the one expected; ", kRefetch));
        if (produced == out.size()) out.resize(out.size() * 2);
        const size_t room = std::min<size_t>(out.size() - produced, UINT_MAX);
        zs.next_out = out.data() + produced;
        zs.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        if (rc == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            const bool another_member = zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b;
            PROBENET_CHECK(another_member, path, ": ", zs.avail_in,
                           " trailing bytes after the end of the gzip stream; the file is corrupt; ", kRefetch);
            PROBENET_CHECK(inflateReset(&zs) == Z_OK, path, ": zlib inflateReset failed");
            continue;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR)  // there was room for output, so the input ran out mid-stream
            throw Error(detail::concat(path, ": truncated gzip stream: the compressed data ends before the stream "
                                             "does (interrupted download?); ", kRefetch));
        if (rc == Z_MEM_ERROR) throw Error(detail::concat(path, ": out of memory while inflating the gzip stream"));
        throw Error(detail::concat(path, ": corrupt gzip data (zlib: ", zs.msg ? zs.msg : "error " + std::to_string(rc),
                                   "); ", kRefetch));
    }
    if (implied && produced > *implied)
        throw Error(detail::concat(path, ": the gzip stream holds more than the ", *implied, " bytes its IDX header "
                                   "implies; the file is corrupt or not the one expected; ", kRefetch));
    out.resize(produced);
    return out;
}

const char* idx_type_name(uint8_t type) {
    switch (type) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "int16";
        case 0x0C: return "int32";
        case 0x0D: return "float32";
        case 0x0E: return "float64";
        default: return "not an IDX type";
    }
}

std::string hex_byte(uint8_t b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

std::string dims_str(const std::vector<int64_t>& dims) {
    std::string s;
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? "×" : "") + std::to_string(dims[i]);
    return s;
}

IdxArray parse_idx(std::vector<uint8_t> bytes, const std::string& path, bool gzipped) {
    const char* file = gzipped ? "the decompressed file" : "the file";
    PROBENET_CHECK(bytes.size() >= 4, path, ": too short for an IDX header: ", file, " has ", bytes.size(),
                   " bytes, the header alone needs at least 4; ", kRefetch);
    PROBENET_CHECK(bytes[0] == 0 && bytes[1] == 0, path, ": not an IDX file: the magic bytes are ",
                   hex_byte(bytes[0]), " ", hex_byte(bytes[1]),
                   ", expected 0x00 0x00; check that the path names an IDX file such as train-images-idx3-ubyte");
    const uint8_t type = bytes[2], rank = bytes[3];
    PROBENET_CHECK(type == 0x08, path, ": unsupported IDX element type ", hex_byte(type), " (", idx_type_name(type),
                   "); probenet reads only 0x08 (unsigned byte), as in MNIST and Fashion-MNIST");
    PROBENET_CHECK(rank >= 1 && rank <= 4, path, ": IDX rank ", int(rank),
                   " is outside 1..4; the header is corrupt; ", kRefetch);
    const size_t header = 4 + 4 * size_t(rank);
    PROBENET_CHECK(bytes.size() >= header, path, ": truncated header: rank ", int(rank), " needs ", header,
                   " header bytes but ", file, " has ", bytes.size(), "; ", kRefetch);

    IdxArray out;
    uint64_t count = 1;
    bool overflow = false;
    for (size_t i = 0; i < rank; ++i) {
        const uint32_t d = read_big_endian_u32(bytes.data() + 4 + 4 * i);
        PROBENET_CHECK(d > 0, path, ": extent ", i, " of the IDX header is 0 (an empty array); the header is corrupt; ",
                       kRefetch);
        out.dims.push_back(d);
        overflow = overflow || __builtin_mul_overflow(count, uint64_t(d), &count);
    }
    const size_t data = bytes.size() - header;
    PROBENET_CHECK(!overflow && count <= data, path, ": truncated: header says ", dims_str(out.dims), " = ",
                   overflow ? std::string("more than 2^64") : std::to_string(count), " bytes of data but ", file,
                   " has ", data, "; ", kRefetch);
    PROBENET_CHECK(count == data, path, ": ", data - count, " trailing bytes: header says ", dims_str(out.dims),
                   " = ", count, " bytes of data but ", file, " has ", data,
                   "; the file is corrupt or not the one expected; ", kRefetch);

    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
    out.values = std::move(bytes);
    return out;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
    std::vector<uint8_t> bytes = read_whole_file(path);
    if (is_gzip(bytes)) return parse_idx(gunzip(bytes, path), path, true);
    return parse_idx(std::move(bytes), path, false);
}

std::string find_idx_file(const std::string& dir, const std::string& stem) {
    std::error_code ec;
    const fs::file_status st = fs::status(dir, ec);
    PROBENET_CHECK(fs::exists(st), dir, ": dataset directory does not exist (looking for ", stem,
                   "); run `make data` to fetch MNIST and Fashion-MNIST into data/, or point to the directory "
                   "that holds the IDX files");
    PROBENET_CHECK(fs::is_directory(st), dir, ": is not a directory (looking for ", stem, " in it)");
    const std::string plain = (fs::path(dir) / stem).string();
    const std::string gz = plain + ".gz";
    if (fs::exists(plain, ec)) return plain;
    if (fs::exists(gz, ec)) return gz;
    std::string dangling;
    for (const std::string& candidate : {plain, gz})
        if (fs::is_symlink(fs::symlink_status(candidate, ec)))
            dangling += " (" + candidate + " is a link to a missing file: " + fs::read_symlink(candidate, ec).string() +
                        ")";
    throw Error(detail::concat(dir, ": neither ", plain, " nor ", gz, " exists", dangling,
                               "; run `make data` to fetch the datasets into data/"));
}

}  // namespace probenet::data
