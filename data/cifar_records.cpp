// read_cifar_records: a whole CIFAR binary file into memory, then record by record; see cifar_records.h.
#include "data/cifar_records.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "tensor/error.h"

namespace probenet::data {

void read_cifar_records(const std::string& path, const std::vector<int>& label_classes, size_t used_label,
                        CifarRecords& out) {
    PROBENET_CHECK(used_label < label_classes.size(), "read_cifar_records: label byte ", used_label, " of ",
                   label_classes.size());
    std::error_code ec;
    PROBENET_CHECK(std::filesystem::is_regular_file(path, ec), path, ": missing (or not a file)");
    std::ifstream in(path, std::ios::binary);
    PROBENET_CHECK(in, path, ": cannot be opened");
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    PROBENET_CHECK(!in.bad(), path, ": read error");
    const size_t label_bytes = label_classes.size();
    const size_t record = label_bytes + kCifarPixelBytes;
    PROBENET_CHECK(!bytes.empty() && bytes.size() % record == 0, path, ": ", bytes.size(),
                   " bytes is not a whole number of ", record, "-byte records (", label_bytes, " label byte",
                   label_bytes == 1 ? "" : "s", " + 3072 pixels); the file is truncated or belongs to another "
                   "dataset");
    const size_t n = bytes.size() / record;
    out.pixels.reserve(out.pixels.size() + n * kCifarPixelBytes);
    out.labels.reserve(out.labels.size() + n);
    for (size_t r = 0; r < n; ++r) {
        const uint8_t* rec = bytes.data() + r * record;
        for (size_t b = 0; b < label_bytes; ++b)
            PROBENET_CHECK(rec[b] < label_classes[b], path, ": record ", r, " has label ", int(rec[b]),
                           label_bytes > 1 ? (b == 0 ? " (coarse)" : " (fine)") : "", " but there are only ",
                           label_classes[b], " classes; the file is corrupt or belongs to another dataset");
        out.labels.push_back(rec[used_label]);
        out.pixels.insert(out.pixels.end(), rec + label_bytes, rec + record);
    }
}

}  // namespace probenet::data
