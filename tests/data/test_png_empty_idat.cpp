// drop_empty_idat_chunks (data/png_empty_idat.h): zero-length IDAT chunks are removed, nothing else
// changes, and decode_rgb_image gives a PNG with empty IDATs the same pixels as the file without them
// (stb_image would otherwise memcpy an empty chunk into a null buffer: the fuzzer's reproducer).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "data/image_file.h"
#include "png_chunks.h"
#include "data/png_empty_idat.h"
#include "tensor/error.h"

using probenet::data::drop_empty_idat_chunks;

namespace {

using Bytes = probenet::testing::PngBytes;
using probenet::testing::png_chunk;
using probenet::testing::put_be32;
const Bytes kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return Bytes(std::istreambuf_iterator<char>(in), {});
}
std::string write_temp(const Bytes& b, const std::string& name) {
    const std::string path = (std::filesystem::temp_directory_path() / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    return path;
}

}  // namespace

TEST_CASE("drop_empty_idat_chunks removes only zero-length IDATs before IEND", "[data][png]") {
    Bytes b = kSignature, want = kSignature;
    png_chunk(b, "IHDR", Bytes(13, 1));
    png_chunk(want, "IHDR", Bytes(13, 1));
    png_chunk(b, "IDAT", {});
    png_chunk(b, "IDAT", {7, 8, 9});
    png_chunk(want, "IDAT", {7, 8, 9});
    png_chunk(b, "IDAT", {});
    png_chunk(b, "tEXt", {});  // other empty chunks stay
    png_chunk(want, "tEXt", {});
    png_chunk(b, "IEND", {});
    png_chunk(want, "IEND", {});
    png_chunk(b, "IDAT", {});  // after IEND: stb_image never reads it
    png_chunk(want, "IDAT", {});
    REQUIRE(drop_empty_idat_chunks(b) == 2);
    REQUIRE(b == want);
    REQUIRE(drop_empty_idat_chunks(b) == 0);

    Bytes jpeg = {0xFF, 0xD8, 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0, 0, 0xFF, 0xD9};  // not a PNG
    const Bytes jpeg_before = jpeg;
    REQUIRE(drop_empty_idat_chunks(jpeg) == 0);
    REQUIRE(jpeg == jpeg_before);
}

TEST_CASE("decode_rgb_image: empty IDAT chunks change nothing; the fuzzer's reproducer decodes safely",
          "[data][png]") {
    const std::string dir = std::string(PROBENET_SOURCE_DIR) + "/fuzz/corpus/fuzz_image/";
    const Bytes original = read_file(dir + "rgb64.png");
    // An empty IDAT before the first one (stb_image's buffer is then still null) and one after it.
    Bytes padded(original.begin(), original.begin() + 8);
    size_t at = 8;
    bool inserted = false;
    while (at + 12 <= original.size()) {
        const size_t length = (size_t{original[at]} << 24) | (size_t{original[at + 1]} << 16) |
                              (size_t{original[at + 2]} << 8) | original[at + 3];
        const bool idat = std::string(original.begin() + at + 4, original.begin() + at + 8) == "IDAT";
        if (idat && !inserted) png_chunk(padded, "IDAT", {});
        padded.insert(padded.end(), original.begin() + at, original.begin() + at + 12 + length);
        if (idat && !inserted) png_chunk(padded, "IDAT", {});
        inserted = inserted || idat;
        at += 12 + length;
    }
    REQUIRE(inserted);
    REQUIRE(padded.size() == original.size() + 24);

    std::vector<uint8_t> want(64 * 64 * 3), got(64 * 64 * 3, 0);
    probenet::data::decode_rgb_image(dir + "rgb64.png", 64, 64, want.data());
    const std::string path = write_temp(padded, "probenet_empty_idat.png");
    probenet::data::decode_rgb_image(path, 64, 64, got.data());
    std::remove(path.c_str());
    REQUIRE(got == want);

    // The reproducer: a 64×64 PNG whose first IDAT is empty. Decoded or refused, never undefined
    // (fuzz/run.sh replays it under UBSan from corpus/fuzz_image/).
    std::vector<uint8_t> out(64 * 64 * 3);
    try {
        probenet::data::decode_rgb_image(std::string(PROBENET_SOURCE_DIR) + "/fuzz/findings/stb_png_empty_idat.png",
                                         64, 64, out.data());
    } catch (const probenet::Error& e) {
        CHECK(std::string(e.what()).find("stb_png_empty_idat.png") != std::string::npos);
    }
}
