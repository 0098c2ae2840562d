// Fuzz target: CIFAR binary record files (data/cifar_records.h), read as CIFAR-100 (two label bytes,
// coarse < 20, fine < 100) and as CIFAR-10 (one byte < 10). Any input must give whole records with
// labels in range, or end in probenet::Error.
#include <cstdint>

#include "data/cifar_records.h"
#include "fuzz/fuzz_input_file.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace probenet::data;
    const std::string path = probenet::fuzz::write_input(data, size);
    for (const auto& [classes, used] : {std::pair<std::vector<int>, size_t>{{20, 100}, 1}, {{10}, 0}}) {
        try {
            CifarRecords r;
            read_cifar_records(path, classes, used, r);
            if (r.pixels.size() != r.labels.size() * static_cast<size_t>(kCifarPixelBytes)) __builtin_trap();
            for (int32_t l : r.labels)
                if (l < 0 || l >= classes[used]) __builtin_trap();
        } catch (const probenet::Error&) {
        }
    }
    return 0;
}
