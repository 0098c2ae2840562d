// Test helpers for the data module: where the fetched datasets live (data/ under the source dir, or
// $PROBENET_TEST_DATA) and what a test does when one is absent. Locally it skips (Catch2 v2 has no
// SKIP: WARN the reason and how to get the data, and return); under CI (CI=true) a missing dataset
// fails the test, so that a skipped exactness test never reads as a pass.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "data/idx_reader.h"
#include "tensor/error.h"

namespace probenet::data::testing {

inline std::string dataset_dir(const std::string& name) {
    const char* root = std::getenv("PROBENET_TEST_DATA");
    return (root && *root ? std::string(root) : std::string(PROBENET_SOURCE_DIR) + "/data") + "/" + name;
}

// True when the CI variable says the tests run under continuous integration ("true" or "1", as CI
// services set it): there, every test must run.
inline bool running_under_ci() {
    const char* ci = std::getenv("CI");
    return ci && (std::string(ci) == "true" || std::string(ci) == "1");
}

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

// Returns from the enclosing test case, with a printed reason and how to get the data, when the
// dataset in `dir` is absent; under CI (CI=true) fails the test instead.
#define PROBENET_SKIP_UNLESS_MNIST_FORMAT(dir)                                                             \
    do {                                                                                                   \
        const std::string why_missing = ::probenet::data::testing::missing_mnist_format_files(dir);        \
        if (!why_missing.empty()) {                                                                        \
            if (::probenet::data::testing::running_under_ci())                                             \
                FAIL("CI=true and the dataset is missing, so this test cannot run: "                      \
                     << why_missing << " (`make data` fetches it; CI must run it before the tests)");      \
            WARN("SKIPPED: " << why_missing                                                                \
                             << " (run `make data` to fetch the datasets and enable this test)");          \
            return;                                                                                        \
        }                                                                                                  \
    } while (0)
