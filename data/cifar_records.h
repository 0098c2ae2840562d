// CIFAR binary records: the one file format of CIFAR-10 and CIFAR-100 ("binary version").
//
// A file is a sequence of fixed-size records, nothing else: `label_classes.size()` label bytes, then
// 3072 pixel bytes (3×32×32: the red plane, then green, then blue, each row-major), i.e. the C×H×W
// order the models take. CIFAR-10 has one label byte (< 10), CIFAR-100 two (coarse < 20, fine < 100).
// Records are read in file order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/shape.h"

namespace probenet::data {

inline const Shape kCifarSampleShape{3, 32, 32};
constexpr int64_t kCifarPixelBytes = 3 * 32 * 32;

struct CifarRecords {
    std::vector<uint8_t> pixels;  // 3072 bytes per record, in file order
    std::vector<int32_t> labels;  // the used label of each record
};

// Appends the records of `path` to `out`. `label_classes[i]` is the number of classes of label byte
// i (every byte is checked against it); byte `used_label` becomes the record's label. Throws naming
// the file when it is missing, empty, not a whole number of records (truncated or another dataset's
// file), or holds a label byte outside its range.
void read_cifar_records(const std::string& path, const std::vector<int>& label_classes, size_t used_label,
                        CifarRecords& out);

}  // namespace probenet::data
