// drop_empty_idat_chunks: removes a PNG's zero-length IDAT chunks before stb_image decodes it.
//
// A PNG is the 8-byte signature, then chunks: length (4 bytes, big-endian) · type (4) · data (length)
// · CRC (4). stb_image copies each IDAT chunk's data onto the end of its buffer with memcpy; while
// every IDAT so far has been empty that buffer is still null, and memcpy(null, p, 0) is undefined
// behaviour (UBSan, found by fuzz/fuzz_image: findings/stb_png_empty_idat.png). An empty IDAT adds
// nothing to the compressed pixel data, so the image decodes the same without it.
// Run after check_png_size (data/png_size_check.h), which has checked that every chunk lies inside the
// file; files that do not start with the PNG signature are left as they are.
#pragma once

#include <cstdint>
#include <vector>

namespace probenet::data {

// Erases, in place, every IDAT chunk of length 0 before IEND; returns how many.
int64_t drop_empty_idat_chunks(std::vector<uint8_t>& bytes);

}  // namespace probenet::data
