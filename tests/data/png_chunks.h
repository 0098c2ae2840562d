// PNG chunk writing for the tests of the PNG checks: length (4 bytes, big-endian) · type · data · CRC.
#pragma once

#include <cstdint>
#include <vector>

namespace probenet::testing {

using PngBytes = std::vector<uint8_t>;

inline void put_be32(PngBytes& b, uint64_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
}

// A chunk with a correct length field (the CRC is not checked by stb_image or probenet: left 0).
inline void png_chunk(PngBytes& b, const char* type, const PngBytes& data) {
    put_be32(b, data.size());
    b.insert(b.end(), type, type + 4);
    b.insert(b.end(), data.begin(), data.end());
    put_be32(b, 0);
}

}  // namespace probenet::testing
