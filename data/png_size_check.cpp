// check_png_size: a chunk walk and a counting inflate over a PNG file; see png_size_check.h.
#include "data/png_size_check.h"

#include <zlib.h>

#include <cstring>
#include <memory>

#include "data/big_endian.h"
#include "tensor/error.h"

namespace probenet::data {

namespace {

constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

}  // namespace

void check_png_size(const std::string& path, const uint8_t* bytes, size_t size, int64_t width, int64_t height) {
    if (size < 8 || std::memcmp(bytes, kSignature, 8) != 0) return;
    const uint64_t raw_limit = uint64_t(height) * (1 + 8 * uint64_t(width)) + 7 * uint64_t(height) + 64;

    z_stream zs{};
    PROBENET_CHECK(inflateInit(&zs) == Z_OK, path, ": zlib inflateInit failed");
    const std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
    uint8_t scratch[1 << 14];
    bool stream_ended = false;

    size_t at = 8;
    while (at < size) {
        PROBENET_CHECK(size - at >= 12, path, ": corrupt PNG (", size - at, " stray bytes at offset ", at,
                       ", less than a chunk)");
        const uint64_t length = read_big_endian_u32(bytes + at);
        PROBENET_CHECK(length <= size - at - 12, path, ": corrupt PNG (a chunk at offset ", at, " declares ", length,
                       " bytes but only ", size - at - 12, " follow)");
        const uint8_t* type = bytes + at + 4;
        if (std::memcmp(type, "CgBI", 4) == 0 && zs.total_in == 0) {
            // Apple's variant: raw deflate without the zlib header, which stb_image also reads.
            PROBENET_CHECK(inflateReset2(&zs, -MAX_WBITS) == Z_OK, path, ": zlib inflateReset2 failed");
        }
        if (std::memcmp(type, "IDAT", 4) == 0 && !stream_ended) {
            zs.next_in = const_cast<Bytef*>(bytes + at + 8);
            zs.avail_in = static_cast<uInt>(length);
            while (zs.avail_in > 0 && !stream_ended) {
                zs.next_out = scratch;
                zs.avail_out = sizeof scratch;
                const int rc = inflate(&zs, Z_NO_FLUSH);
                // The end of the stream, or data that is not zlib (which stb_image will refuse once it has
                // gathered every IDAT): stop inflating, keep checking the chunk lengths.
                if (rc != Z_OK) stream_ended = true;
                PROBENET_CHECK(zs.total_out <= raw_limit, path, ": corrupt PNG (its pixel data inflates past ",
                               raw_limit, " bytes, the most a ", width, "×", height, " image can hold)");
                if (zs.avail_out == sizeof scratch && zs.avail_in > 0) stream_ended = true;  // no progress
            }
        }
        if (std::memcmp(type, "IEND", 4) == 0) return;  // stb_image stops reading here
        at += 12 + static_cast<size_t>(length);
    }
}

}  // namespace probenet::data
