// read_big_endian_u32: the 4-byte big-endian integers of file headers (IDX extents, PNG chunk lengths).
#pragma once

#include <cstdint>

namespace probenet::data {

inline uint32_t read_big_endian_u32(const uint8_t* p) {
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

}  // namespace probenet::data
