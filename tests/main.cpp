// Catch2 entry point for the whole test binary; each TEST_CASE is one ctest test.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
