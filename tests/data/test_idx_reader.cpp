// read_idx and find_idx_file on small files crafted in a temporary directory: plain and gzip round
// trips, and one bad file per failure mode, each error naming the file and what is wrong.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/idx_reader.h"
#include "idx_test_files.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;
namespace fs = std::filesystem;

using namespace probenet::data::testing;

TEST_CASE("read_idx round-trips plain and gzip files", "[data]") {
    TempDir dir;
    const Bytes images = iota_bytes(2 * 3 * 4);
    const Bytes idx3 = idx_bytes({2, 3, 4}, images);

    write_plain(dir.file("images"), idx3);
    IdxArray a = read_idx(dir.file("images"));
    REQUIRE(a.dims == std::vector<int64_t>{2, 3, 4});
    REQUIRE(a.values == images);

    // gzip is recognised by its magic bytes, with or without the .gz name.
    write_gzip(dir.file("images.gz"), idx3);
    write_gzip(dir.file("gzipped-without-suffix"), idx3);
    for (const char* name : {"images.gz", "gzipped-without-suffix"}) {
        IdxArray g = read_idx(dir.file(name));
        REQUIRE(g.dims == a.dims);
        REQUIRE(g.values == images);
    }

    // Rank 1 (labels) and rank 4.
    write_gzip(dir.file("labels"), idx_bytes({5}, {9, 8, 7, 0, 255}));
    REQUIRE(read_idx(dir.file("labels")).values == Bytes{9, 8, 7, 0, 255});
    write_plain(dir.file("rank4"), idx_bytes({1, 2, 1, 2}, {1, 2, 3, 4}));
    REQUIRE(read_idx(dir.file("rank4")).dims == std::vector<int64_t>{1, 2, 1, 2});

    // A file of several gzip members (as `cat a.gz b.gz` makes) is their concatenation.
    write_gzip(dir.file("part1.gz"), Bytes(idx3.begin(), idx3.begin() + 10));
    write_gzip(dir.file("part2.gz"), Bytes(idx3.begin() + 10, idx3.end()));
    Bytes joined = read_plain(dir.file("part1.gz"));
    const Bytes second = read_plain(dir.file("part2.gz"));
    joined.insert(joined.end(), second.begin(), second.end());
    write_plain(dir.file("members.gz"), joined);
    REQUIRE(read_idx(dir.file("members.gz")).values == images);
}

TEST_CASE("find_idx_file prefers the plain file, falls back to .gz", "[data]") {
    TempDir dir;
    const std::string stem = "train-labels-idx1-ubyte";
    write_gzip(dir.file(stem + ".gz"), idx_bytes({1}, {3}));
    REQUIRE(find_idx_file(dir.path.string(), stem) == dir.file(stem + ".gz"));
    write_plain(dir.file(stem), idx_bytes({1}, {3}));
    REQUIRE(find_idx_file(dir.path.string(), stem) == dir.file(stem));
}

TEST_CASE("read_idx and find_idx_file reject bad input with clear errors", "[data]") {
    TempDir dir;
    const Bytes good = idx_bytes({2, 3, 4}, iota_bytes(24));
    auto craft = [&](const std::string& name, Bytes bytes) {
        write_plain(dir.file(name), bytes);
        return dir.file(name);
    };

    Bytes bad_magic = good;
    bad_magic[0] = 0x01;
    const std::string p_magic = craft("bad-magic", bad_magic);
    REQUIRE_THROWS_WITH(read_idx(p_magic), Contains(p_magic) && Contains("not an IDX file") && Contains("0x01 0x00"));

    const std::string p_type = craft("float-type", idx_bytes({2}, Bytes(8), 0x0D));
    REQUIRE_THROWS_WITH(read_idx(p_type),
                        Contains(p_type) && Contains("element type 0x0d (float32)") && Contains("0x08"));

    Bytes rank0 = good;
    rank0[3] = 0;
    const std::string p_rank0 = craft("rank0", rank0);
    REQUIRE_THROWS_WITH(read_idx(p_rank0), Contains(p_rank0) && Contains("rank 0 is outside 1..4"));
    Bytes rank5 = good;
    rank5[3] = 5;
    const std::string p_rank5 = craft("rank5", rank5);
    REQUIRE_THROWS_WITH(read_idx(p_rank5), Contains("rank 5 is outside 1..4"));

    const std::string p_short = craft("short", Bytes{0, 0});
    REQUIRE_THROWS_WITH(read_idx(p_short), Contains(p_short) && Contains("too short"));
    const std::string p_header = craft("cut-header", Bytes(good.begin(), good.begin() + 10));
    REQUIRE_THROWS_WITH(read_idx(p_header),
                        Contains(p_header) && Contains("truncated header") && Contains("needs 16"));

    const std::string p_zero = craft("zero-extent", idx_bytes({2, 0, 4}, {}));
    REQUIRE_THROWS_WITH(read_idx(p_zero), Contains(p_zero) && Contains("extent 1") && Contains("is 0"));

    const std::string p_trunc = craft("truncated", Bytes(good.begin(), good.end() - 4));
    REQUIRE_THROWS_WITH(read_idx(p_trunc),
                        Contains(p_trunc) &&
                            Contains("truncated: header says 2×3×4 = 24 bytes of data but the file has 20") &&
                            Contains("make data"));

    Bytes trailing = good;
    trailing.insert(trailing.end(), {1, 2, 3});
    const std::string p_trail = craft("trailing", trailing);
    REQUIRE_THROWS_WITH(read_idx(p_trail), Contains(p_trail) && Contains("3 trailing bytes") && Contains("has 27"));

    // The same checks apply after inflating, and say so.
    const std::string p_gz_trunc = dir.file("truncated-inside.gz");
    write_gzip(p_gz_trunc, Bytes(good.begin(), good.end() - 4));
    REQUIRE_THROWS_WITH(read_idx(p_gz_trunc), Contains(p_gz_trunc) && Contains("the decompressed file has 20"));

    // A gzip "bomb": a valid 24-byte IDX header and data followed by 64 MB of zeros that compress to
    // ~64 KB. Inflation stops one byte past the size the header implies instead of inflating it all.
    Bytes bomb = good;
    bomb.resize(bomb.size() + (64u << 20), 0);
    const std::string p_bomb = dir.file("bomb.gz");
    write_gzip(p_bomb, bomb);
    REQUIRE(fs::file_size(p_bomb) < (1u << 20));
    REQUIRE_THROWS_WITH(read_idx(p_bomb), Contains(p_bomb) && Contains("holds more than the 40 bytes its IDX header"));
    // A header that implies more than deflate's 1032:1 ratio allows is refused before inflating on.
    const std::string p_claim = dir.file("claims-too-much.gz");
    write_gzip(p_claim, idx_bytes({60000, 28, 28}, Bytes(200000, 0)));  // ~200 bytes compressed
    REQUIRE_THROWS_WITH(read_idx(p_claim), Contains(p_claim) && Contains("1032:1"));

    // gzip-level damage: a flipped byte in the deflate data, a cut stream, junk after the stream.
    const std::string p_gz = dir.file("good.gz");
    write_gzip(p_gz, good);
    const Bytes gz = read_plain(p_gz);
    Bytes flipped = gz;
    for (size_t i = 12; i < flipped.size() - 8; ++i) flipped[i] ^= 0x5a;
    const std::string p_corrupt = craft("corrupt.gz", flipped);
    REQUIRE_THROWS_WITH(read_idx(p_corrupt), Contains(p_corrupt) && Contains("corrupt gzip data"));
    Bytes bad_crc = gz;
    bad_crc[bad_crc.size() - 8] ^= 0xff;  // first byte of the CRC-32 in the trailer
    const std::string p_crc = craft("bad-crc.gz", bad_crc);
    REQUIRE_THROWS_WITH(read_idx(p_crc), Contains(p_crc) && Contains("corrupt gzip data") && Contains("check"));
    const std::string p_cut = craft("cut.gz", Bytes(gz.begin(), gz.begin() + static_cast<long>(gz.size() / 2)));
    REQUIRE_THROWS_WITH(read_idx(p_cut), Contains(p_cut) && Contains("truncated gzip stream"));
    Bytes junk = gz;
    junk.insert(junk.end(), {'j', 'u', 'n', 'k'});
    const std::string p_junk = craft("junk.gz", junk);
    REQUIRE_THROWS_WITH(read_idx(p_junk), Contains(p_junk) && Contains("4 trailing bytes after the end of the gzip"));

    const std::string p_missing = dir.file("no-such-file");
    REQUIRE_THROWS_WITH(read_idx(p_missing), Contains(p_missing) && Contains("no such file") && Contains("make data"));
    REQUIRE_THROWS_WITH(read_idx(dir.path.string()), Contains("is a directory"));
    fs::create_symlink(dir.file("gone"), dir.file("dangling"));
    REQUIRE_THROWS_WITH(read_idx(dir.file("dangling")), Contains(dir.file("dangling")) && Contains("link"));

    // find_idx_file: neither candidate, missing directory, a file where the directory should be.
    REQUIRE_THROWS_WITH(find_idx_file(dir.path.string(), "t10k-images-idx3-ubyte"),
                        Contains(dir.file("t10k-images-idx3-ubyte")) &&
                            Contains(dir.file("t10k-images-idx3-ubyte.gz")) && Contains("make data"));
    fs::create_symlink(dir.file("uninstalled.gz"), dir.file("labels-idx1-ubyte.gz"));
    REQUIRE_THROWS_WITH(find_idx_file(dir.path.string(), "labels-idx1-ubyte"),
                        Contains("labels-idx1-ubyte.gz is a link to a missing file") && Contains("uninstalled.gz"));
    const std::string no_dir = dir.file("no-such-dir");
    REQUIRE_THROWS_WITH(find_idx_file(no_dir, "t10k-images-idx3-ubyte"),
                        Contains(no_dir) && Contains("directory does not exist") && Contains("make data"));
    REQUIRE_THROWS_WITH(find_idx_file(p_trail, "x"), Contains(p_trail) && Contains("is not a directory"));
}
