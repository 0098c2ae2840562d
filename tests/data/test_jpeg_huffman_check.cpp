// check_jpeg_huffman_tables (data/jpeg_huffman_check.h): a DHT table of more than 256 codes, or with an
// impossible class/destination, is refused naming the file — in the header, after padding, and between
// the scans of a progressive file (past stuffed FF 00 bytes and restart markers) — while a table of
// exactly 256 codes, bytes that only look like a DHT inside another segment, and non-JPEG input pass.
// decode_rgb_image refuses the fuzzer's reproducer with that message instead of reading out of bounds.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "data/image_file.h"
#include "data/jpeg_huffman_check.h"
#include "tensor/error.h"

using probenet::Error;
using probenet::data::check_jpeg_huffman_tables;
using Catch::Contains;

namespace {

using Bytes = std::vector<uint8_t>;

// One DHT segment with a single table of class 0, destination `slot`, whose 16 counts add up to `codes`.
Bytes dht(int codes, uint8_t slot = 0) {
    Bytes counts(16, 0);
    for (int left = codes, i = 15; left > 0; --i) {
        const int here = left < 255 ? left : 255;
        counts[static_cast<size_t>(i)] = static_cast<uint8_t>(here);
        left -= here;
    }
    const int length = 2 + 17 + codes;
    Bytes seg = {0xFF, 0xC4, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length & 255), slot};
    for (uint8_t c : counts) seg.push_back(c);
    seg.resize(seg.size() + static_cast<size_t>(codes), 0x07);
    return seg;
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

const Bytes kSOI = {0xFF, 0xD8};
const Bytes kEOI = {0xFF, 0xD9};
// A scan header (length 8, one component) followed by entropy-coded bytes with a stuffed FF 00 and a
// restart marker FF D3, which are part of the scan, not markers that end it.
const Bytes kScan = {0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,
                     0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0xFF, 0x00, 0x78};

void check(const Bytes& b) { check_jpeg_huffman_tables("x.jpg", b.data(), b.size()); }

}  // namespace

TEST_CASE("check_jpeg_huffman_tables: 256 codes pass, 257 are refused naming the file", "[data][jpeg]") {
    CHECK_NOTHROW(check(concat({kSOI, dht(256), kEOI})));
    CHECK_THROWS_WITH(check(concat({kSOI, dht(257), kEOI})),
                      Contains("x.jpg") && Contains("257 codes"));
    CHECK_THROWS_WITH(check(concat({kSOI, dht(10, 0x04), kEOI})), Contains("destination 4"));
    CHECK_THROWS_WITH(check(concat({kSOI, dht(10, 0x20), kEOI})), Contains("class 2"));
}

TEST_CASE("check_jpeg_huffman_tables: a bad table after padding, fill bytes or a scan is found", "[data][jpeg]") {
    CHECK_THROWS(check(concat({kSOI, Bytes{0x00, 0x11, 0xFF, 0xFF}, dht(300)})));
    CHECK_THROWS(check(concat({kSOI, dht(100), kScan, dht(400), kScan, kEOI})));
    // The second table of a two-table segment.
    Bytes two = dht(20);
    const Bytes second = dht(260);
    two.insert(two.end(), second.begin() + 4, second.end());
    const int length = static_cast<int>(two.size()) - 2;
    two[2] = static_cast<uint8_t>(length >> 8);
    two[3] = static_cast<uint8_t>(length & 255);
    CHECK_THROWS_WITH(check(concat({kSOI, two, kEOI})), Contains("260 codes"));
}

TEST_CASE("check_jpeg_huffman_tables: DHT-like bytes inside a segment and non-JPEG input pass", "[data][jpeg]") {
    // An APP1 segment whose payload holds the bytes of an oversized DHT: not a marker, not checked.
    Bytes app = {0xFF, 0xE1, 0x00, 0x00};
    const Bytes fake = dht(300);
    app.insert(app.end(), fake.begin(), fake.end());
    app[2] = static_cast<uint8_t>((app.size() - 2) >> 8);
    app[3] = static_cast<uint8_t>((app.size() - 2) & 255);
    CHECK_NOTHROW(check(concat({kSOI, app, dht(256), kScan, kEOI})));
    CHECK_NOTHROW(check(concat({Bytes{0x89, 'P', 'N', 'G'}, dht(300)})));
    CHECK_NOTHROW(check(Bytes{}));
    CHECK_NOTHROW(check(concat({kSOI, Bytes{0xFF, 0xC4, 0x00}})));  // truncated inside the length
}

TEST_CASE("decode_rgb_image refuses the fuzzer's stb_image Huffman reproducer", "[data][jpeg]") {
    const std::string path = std::string(PROBENET_SOURCE_DIR) + "/fuzz/findings/stb_jpeg_huffman_oob.jpg";
    std::vector<uint8_t> out(64 * 64 * 3);
    CHECK_THROWS_WITH(probenet::data::decode_rgb_image(path, 64, 64, out.data()),
                      Contains("stb_jpeg_huffman_oob.jpg") && Contains("codes; at most 256"));
}
