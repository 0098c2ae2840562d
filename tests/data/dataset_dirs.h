// Test helpers for the data module: where the fetched datasets live (data/ under the source dir) and
// how a test skips when one is absent (Catch2 v2 has no SKIP: WARN the reason and return).
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "data/idx_reader.h"
#include "tensor/error.h"

namespace probenet::data::testing {

inline std::string dataset_dir(const std::string& name) { return std::string(PROBENET_SOURCE_DIR) + "/data/" + name; }

// "" when the four IDX files of an MNIST-format dataset are in `dir`; otherwise why not.
inline std::string missing_mnist_format_files(const std::string& dir) {
    try {
        for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                 "t10k-labels-idx1-ubyte"})
            find_idx_file(dir, stem);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace probenet::data::testing

// Returns from the enclosing test case, with a printed reason, when the dataset in `dir` is absent.
#define PROBENET_SKIP_UNLESS_MNIST_FORMAT(dir)                                                             \
    do {                                                                                                   \
        const std::string why_missing = ::probenet::data::testing::missing_mnist_format_files(dir);        \
        if (!why_missing.empty()) {                                                                        \
            WARN("SKIPPED: " << why_missing                                                                \
                             << " (CI runs `make data` before the tests; locally, run it to enable this test)"); \
            return;                                                                                        \
        }                                                                                                  \
    } while (0)
