// check_jpeg_huffman_tables: refuses a JPEG whose Huffman tables no decoder should accept, before the
// bytes reach stb_image.
//
// A DHT segment (marker FF C4) holds tables of the form
//     Tc|Th (1 byte) · L1 … L16 (16 bytes: how many codes of each length) · Σ Li symbol bytes,
// and a valid table has Σ Li ≤ 256 (ITU T.81 §B.2.4.2: at most 256 symbols of 8 bits). Debian's
// stb_image does not check that sum and writes/reads its 257-entry code-size table out of bounds
// (found by fuzz/fuzz_image, reproducer fuzz/findings/stb_jpeg_huffman_oob.jpg).
//
// The check walks the file's markers the way a decoder meets them: length-prefixed segments, fill
// bytes and padding between them, and after each SOS the entropy-coded data up to the next marker
// that is not a stuffed 00 or a restart marker RST0–7 — so every DHT stb_image would parse, in the
// header or between the scans of a progressive JPEG, is checked. Files that do not start with SOI
// (PNG, garbage) are left to stb_image to accept or refuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace probenet::data {

// Throws probenet::Error naming `path` when a DHT table in bytes[0 .. size) declares more than 256
// codes or an impossible class/destination (Tc > 1 or Th > 3).
void check_jpeg_huffman_tables(const std::string& path, const uint8_t* bytes, size_t size);

}  // namespace probenet::data
