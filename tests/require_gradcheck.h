// REQUIRE that a gradcheck passed, printing its report when it did not.
#pragma once

#include <catch2/catch.hpp>

#include "gradcheck.h"

namespace probenet::testing {

inline void require_ok(const GradCheckResult& result) {
    INFO(result.report);
    REQUIRE(result.ok);
}

}  // namespace probenet::testing
