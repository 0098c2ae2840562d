// check_jpeg_huffman_tables: a marker walk over a JPEG file, checking every DHT table; see
// jpeg_huffman_check.h.
#include "data/jpeg_huffman_check.h"

#include "tensor/error.h"

namespace probenet::data {

namespace {

constexpr uint8_t kSOI = 0xD8, kEOI = 0xD9, kSOS = 0xDA, kDHT = 0xC4, kTEM = 0x01;

bool is_restart(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

// Bytes past the end read as 0, as stb_image's reader returns them.
uint8_t byte_at(const uint8_t* bytes, size_t size, size_t at) { return at < size ? bytes[at] : 0; }

// The tables of one DHT segment whose payload (after the 2 length bytes) starts at `at` and is
// `length` − 2 bytes long. Reads table after table while payload is left, as a decoder does.
void check_dht(const std::string& path, const uint8_t* bytes, size_t size, size_t at, long length) {
    long left = length - 2;
    while (left > 0 && at < size) {
        const uint8_t class_and_slot = bytes[at];
        PROBENET_CHECK((class_and_slot >> 4) <= 1 && (class_and_slot & 15) <= 3, path,
                       ": corrupt JPEG (a Huffman table at byte ", at, " has class ", class_and_slot >> 4,
                       " and destination ", class_and_slot & 15, "; at most 1 and 3 are valid)");
        long codes = 0;
        for (size_t i = 1; i <= 16; ++i) codes += byte_at(bytes, size, at + i);
        PROBENET_CHECK(codes <= 256, path, ": corrupt JPEG (a Huffman table at byte ", at, " declares ", codes,
                       " codes; at most 256 are valid)");
        at += 17 + static_cast<size_t>(codes);
        left -= 17 + codes;
    }
}

// From `at` inside entropy-coded data: the offset of the 0xFF that starts the next real marker
// (not a stuffed FF 00, not a restart marker), or `size`.
size_t end_of_entropy_data(const uint8_t* bytes, size_t size, size_t at) {
    while (at < size) {
        if (bytes[at] != 0xFF) {
            ++at;
            continue;
        }
        size_t next = at + 1;
        while (next < size && bytes[next] == 0xFF) ++next;
        if (next >= size) return size;
        if (bytes[next] != 0x00 && !is_restart(bytes[next])) return at;
        at = next + 1;
    }
    return size;
}

}  // namespace

void check_jpeg_huffman_tables(const std::string& path, const uint8_t* bytes, size_t size) {
    size_t at = 0;
    if (size < 2 || bytes[0] != 0xFF) return;  // not a JPEG
    while (at < size && bytes[at] == 0xFF) ++at;
    if (at >= size || bytes[at] != kSOI) return;
    ++at;
    while (at < size) {
        while (at < size && bytes[at] != 0xFF) ++at;  // padding between segments
        while (at < size && bytes[at] == 0xFF) ++at;  // fill bytes
        if (at >= size) return;
        const uint8_t marker = bytes[at++];
        if (marker == kEOI) return;
        if (marker == 0x00 || marker == kTEM || marker == kSOI || is_restart(marker)) continue;  // no length
        const long length = (long{byte_at(bytes, size, at)} << 8) | byte_at(bytes, size, at + 1);
        if (marker == kDHT) check_dht(path, bytes, size, at + 2, length);
        at += static_cast<size_t>(length < 2 ? 2 : length);
        if (marker == kSOS) at = end_of_entropy_data(bytes, size, at);
    }
}

}  // namespace probenet::data
