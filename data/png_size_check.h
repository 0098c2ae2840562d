// check_png_size: refuses a PNG whose chunks or compressed pixels would make stb_image allocate far
// more than the image needs, before stb_image decodes it.
//
// A PNG is the 8-byte signature, then chunks: length (4 bytes, big-endian) · type (4) · data (length)
// · CRC (4). stb_image grows its buffer for the concatenated IDAT data to each chunk's declared length
// before reading it, and inflates that data into a buffer that doubles as long as output comes. So a
// 177-byte file declaring a 1 GB chunk made it allocate 2 GiB (found by fuzz/fuzz_image). Here:
//   - every chunk must lie inside the file (length + 12 ≤ the bytes left);
//   - the IDAT data (raw deflate after a CgBI chunk: stb_image reads Apple's variant too), inflated
//     with zlib into a small scratch buffer (nothing kept), must not exceed the largest raw size a
//     width × height PNG can have: height · (1 + 8·width) filter and pixel bytes (8 bytes per pixel:
//     RGBA at 16 bits), plus 7·height + 64 for Adam7 interlacing's extra rows.
// Files that do not start with the PNG signature are left to the other checks and to stb_image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace probenet::data {

// Throws probenet::Error naming `path` when bytes[0 .. size) is a PNG that breaks either rule above for
// an image of width × height.
void check_png_size(const std::string& path, const uint8_t* bytes, size_t size, int64_t width, int64_t height);

}  // namespace probenet::data
