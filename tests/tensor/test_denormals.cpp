// set_flush_denormals: subnormal results become 0 on this thread and on every OpenMP worker, and
// IEEE gradual underflow comes back when it is turned off.
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <vector>

#include "tensor/runtime.h"

using namespace probenet;

namespace {
// 1e-30 · 1e-10 = 1e-40 is subnormal in float32 (the smallest normal is 1.18e-38).
float tiny_product(float scale) {
    volatile float a = 1e-30f;
    return a * scale;
}

// Counts the OpenMP workers on which the product was flushed to zero.
int workers_flushing() {
    const int n = omp_get_max_threads();
    std::vector<int> flushed(static_cast<size_t>(n), 0);
#pragma omp parallel num_threads(n)
    flushed[static_cast<size_t>(omp_get_thread_num())] = tiny_product(1e-10f) == 0.0f;
    int count = 0;
    for (int f : flushed) count += f;
    return count;
}
}  // namespace

TEST_CASE("flushing subnormals reaches every OpenMP worker and can be undone", "[tensor][runtime]") {
    REQUIRE(std::fpclassify(tiny_product(1e-10f)) == FP_SUBNORMAL);  // IEEE by default
    if (!set_flush_denormals(true)) {
        WARN("skipped: this CPU has no flush-to-zero control");
        return;
    }
    CHECK(tiny_product(1e-10f) == 0.0f);
    CHECK(workers_flushing() == omp_get_max_threads());
    set_flush_denormals(false);
    CHECK(std::fpclassify(tiny_product(1e-10f)) == FP_SUBNORMAL);
    CHECK(workers_flushing() == 0);
}
