// drop_empty_idat_chunks: a chunk walk over a PNG; see png_empty_idat.h.
#include "data/png_empty_idat.h"

#include <cstring>

#include "data/big_endian.h"

namespace probenet::data {

int64_t drop_empty_idat_chunks(std::vector<uint8_t>& bytes) {
    static constexpr uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (bytes.size() < 8 || std::memcmp(bytes.data(), kSignature, 8) != 0) return 0;
    int64_t dropped = 0;
    size_t at = 8;
    while (bytes.size() - at >= 12) {
        const uint64_t length = read_big_endian_u32(bytes.data() + at);
        const uint8_t* type = bytes.data() + at + 4;
        if (std::memcmp(type, "IEND", 4) == 0 || length > bytes.size() - at - 12) break;
        if (length == 0 && std::memcmp(type, "IDAT", 4) == 0) {
            bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                        bytes.begin() + static_cast<std::ptrdiff_t>(at + 12));
            ++dropped;
            continue;
        }
        at += 12 + static_cast<size_t>(length);
    }
    return dropped;
}

}  // namespace probenet::data
