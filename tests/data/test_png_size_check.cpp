// check_png_size (data/png_size_check.h): a chunk that declares more bytes than the file holds, or
// pixel data that inflates past what a width × height PNG can hold, is refused naming the file;
// well-formed PNG chunk streams pass; decode_rgb_image refuses the fuzzer's 177-byte file that made
// stb_image allocate 2 GiB, instead of allocating.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <string>
#include <vector>

#include "data/image_file.h"
#include "png_chunks.h"
#include "data/png_size_check.h"
#include "tensor/error.h"

using probenet::data::check_png_size;
using Catch::Contains;

namespace {

using Bytes = probenet::testing::PngBytes;
using probenet::testing::png_chunk;
using probenet::testing::put_be32;

// A w×h grey 8-bit PNG whose IDAT is `raw` bytes of zeros, zlib-compressed.
Bytes png_with_raw_size(int w, int h, size_t raw) {
    Bytes b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    Bytes ihdr;
    put_be32(ihdr, static_cast<uint64_t>(w));
    put_be32(ihdr, static_cast<uint64_t>(h));
    ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
    png_chunk(b, "IHDR", ihdr);
    const Bytes zeros(raw, 0);
    uLongf packed_size = compressBound(static_cast<uLong>(raw));
    Bytes packed(packed_size);
    REQUIRE(compress(packed.data(), &packed_size, zeros.data(), static_cast<uLong>(raw)) == Z_OK);
    packed.resize(packed_size);
    png_chunk(b, "IDAT", packed);
    png_chunk(b, "IEND", {});
    return b;
}

void check(const Bytes& b, int64_t w, int64_t h) { check_png_size("x.png", b.data(), b.size(), w, h); }

}  // namespace

TEST_CASE("check_png_size: well-formed PNGs pass, oversized chunks and inflation are refused", "[data][png]") {
    CHECK_NOTHROW(check(png_with_raw_size(4, 4, 4 * (1 + 4)), 4, 4));
    // 64×64 allows 64·(1 + 8·64) + 7·64 + 64 = 33344 raw bytes; one more is refused.
    CHECK_NOTHROW(check(png_with_raw_size(64, 64, 33344), 64, 64));
    CHECK_THROWS_WITH(check(png_with_raw_size(64, 64, 33345), 64, 64),
                      Contains("x.png") && Contains("inflates past 33344 bytes"));
    CHECK_THROWS_WITH(check(png_with_raw_size(4, 4, 1 << 20), 4, 4), Contains("inflates past"));

    Bytes lying = png_with_raw_size(4, 4, 20);
    lying[8 + 12 + 13 + 3] = 0xFF;  // the IDAT length's low byte: more than the file holds
    CHECK_THROWS_WITH(check(lying, 4, 4), Contains("x.png") && Contains("declares"));
    Bytes stray = png_with_raw_size(4, 4, 20);
    stray.resize(stray.size() - 12 + 5);  // IEND cut to 5 bytes
    CHECK_THROWS_WITH(check(stray, 4, 4), Contains("stray bytes"));
    CHECK_NOTHROW(check(Bytes{0xFF, 0xD8, 0xFF, 0xD9}, 4, 4));  // not a PNG: left to the other checks
}

TEST_CASE("decode_rgb_image refuses the fuzzer's stb_image PNG allocation reproducer", "[data][png]") {
    const std::string path = std::string(PROBENET_SOURCE_DIR) + "/fuzz/findings/stb_png_idat_oom.png";
    std::vector<uint8_t> out(64 * 64 * 3);
    CHECK_THROWS_WITH(probenet::data::decode_rgb_image(path, 64, 64, out.data()),
                      Contains("stb_png_idat_oom.png") && Contains("corrupt PNG"));
}
