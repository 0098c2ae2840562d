// Image files (JPEG, PNG) decoded with stb_image into C×H×W RGB bytes.
//
// The size is read from the header (stbi_info) and checked before any pixel is decoded; grey (and
// grey + alpha) images become RGB by replicating the grey value into the three channels, an alpha
// channel is dropped. stb_image is built for JPEG and PNG only (STBI_ONLY_JPEG, STBI_ONLY_PNG in
// image_file.cpp); a JPEG's Huffman tables are checked first (jpeg_huffman_check.h), since Debian's
// stb_image reads out of bounds on a table of more than 256 codes, and a PNG's chunk lengths and
// inflated size are checked against the image's size (png_size_check.h) before stb_image allocates.
// Thread-safe: datasets decode their files in parallel.
#pragma once

#include <cstdint>
#include <string>

namespace probenet::data {

// Decodes `path` into out[0 .. 3·height·width): the R plane, then G, then B, each row-major.
// Throws naming the file when it is not a JPEG/PNG stb_image can read, or is not width×height.
void decode_rgb_image(const std::string& path, int64_t width, int64_t height, uint8_t* out);

}  // namespace probenet::data
