// Fuzz target: the IDX reader (plain and gzip; data/idx_reader.h). Any input must either parse into an
// array whose size matches its header or end in probenet::Error — never a crash, a sanitizer report,
// an out-of-memory inflation or an unbounded loop.
#include <cstdint>

#include "data/idx_reader.h"
#include "fuzz/fuzz_input_file.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = probenet::fuzz::write_input(data, size);
    try {
        const probenet::data::IdxArray a = probenet::data::read_idx(path);
        uint64_t count = 1;
        for (int64_t d : a.dims) count *= static_cast<uint64_t>(d);
        if (count != a.values.size()) __builtin_trap();  // the reader promised an exact length
    } catch (const probenet::Error&) {
    }
    return 0;
}
