// IDX reader: the file format of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
// An IDX file is a 4-byte magic (0x00 0x00, element type, rank), then `rank` big-endian uint32
// extents, then prod(extents) elements in row-major order and nothing after them. probenet reads
// only type 0x08 (unsigned byte) with rank 1..4: labels are (N), images (N, H, W).
// A file whose first two bytes are the gzip magic 1f 8b is inflated first, whatever its name.
// Every check failure throws probenet::Error naming the file, what is wrong and what to do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet::data {

struct IdxArray {
    std::vector<int64_t> dims;    // the extents from the header, outermost first
    std::vector<uint8_t> values;  // prod(dims) bytes, row-major
};

// Reads and validates one IDX file (plain or gzip): magic 00 00, type 0x08, rank 1..4, nonzero
// extents, and exactly prod(dims) data bytes (a shorter file is truncated, a longer one has
// trailing bytes; both are errors).
IdxArray read_idx(const std::string& path);

// `dir/stem` if it exists, else `dir/stem.gz` (the plain file wins when both exist). Throws naming
// both candidates and suggesting `make data` when neither exists, or when `dir` itself is missing.
std::string find_idx_file(const std::string& dir, const std::string& stem);

}  // namespace probenet::data
