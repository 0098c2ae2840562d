// The authors' component-count rule at its boundaries, and the threshold parser.
#include <catch2/catch.hpp>

#include <vector>

#include "probe/threshold.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::probe;

namespace {
int64_t keep(const std::vector<double>& eig, const Threshold& t, int64_t cap = -1) {
    return components_to_keep(eig.data(), static_cast<int64_t>(eig.size()), cap < 0 ? int64_t(eig.size()) : cap, t);
}
}  // namespace

TEST_CASE("variance rule: k = 1 + #{cumsum(λ/Σλ) <= t}, a cumulative ratio equal to t counts", "[probe]") {
    const std::vector<double> flat{1, 1, 1, 1};  // cumulative ratios 0.25, 0.5, 0.75, 1 (exact in binary)
    REQUIRE(keep(flat, VarianceFraction{0.5}) == 3);
    REQUIRE(keep(flat, VarianceFraction{0.25}) == 2);
    REQUIRE(keep(flat, VarianceFraction{0.2}) == 1);  // nothing at or below t: one component
    REQUIRE(keep(flat, VarianceFraction{0.99}) == 4);  // 1 + 3 = 4 = d
    REQUIRE(keep(flat, VarianceFraction{0.99}, 2) == 2);  // capped at the rank available

    const std::vector<double> decaying{8, 4, 2, 1, 1};  // ratios 0.5, 0.25, 0.125, 0.0625, 0.0625
    REQUIRE(keep(decaying, VarianceFraction{0.875}) == 4);
    REQUIRE(keep(decaying, VarianceFraction{0.874}) == 3);
    REQUIRE(keep(decaying, VarianceFraction{0.99}) == 5);
}

TEST_CASE("count thresholds: 1, d, and more than d (capped at the rank available)", "[probe]") {
    const std::vector<double> eig{5, 3, 2, 0};
    REQUIRE(keep(eig, ComponentCount{1}) == 1);
    REQUIRE(keep(eig, ComponentCount{4}) == 4);
    REQUIRE(keep(eig, ComponentCount{9}) == 4);
    REQUIRE(keep(eig, ComponentCount{9}, 3) == 3);
}

TEST_CASE("no variance keeps no components; unsorted or negative eigenvalues are refused", "[probe]") {
    REQUIRE(keep({0, 0, 0}, VarianceFraction{0.99}) == 0);
    REQUIRE(keep({0, 0, 0}, ComponentCount{2}) == 0);
    REQUIRE(keep({}, VarianceFraction{0.99}) == 0);
    REQUIRE_THROWS_AS(keep({1, 2}, VarianceFraction{0.5}), Error);
    REQUIRE_THROWS_AS(keep({1, -1e-9}, VarianceFraction{0.5}), Error);
    REQUIRE_THROWS_AS(keep({2, 1}, VarianceFraction{0.5}, 3), Error);
}

TEST_CASE("parse_threshold: fractions, whole counts, and clear rejections", "[probe]") {
    const Threshold f = parse_threshold("0.99");
    REQUIRE(std::holds_alternative<VarianceFraction>(f));
    REQUIRE(std::get<VarianceFraction>(f).value == 0.99);
    for (const char* text : {"5", "5.0", "1", "1e2"}) {
        INFO(text);
        REQUIRE(std::holds_alternative<ComponentCount>(parse_threshold(text)));
    }
    REQUIRE(std::get<ComponentCount>(parse_threshold("1")).value == 1);
    REQUIRE(std::get<ComponentCount>(parse_threshold("1e2")).value == 100);
    for (const char* text : {"0", "-1", "-0.5", "1.5", "2.25", "", "abc", "0.99x", "nan", "inf", " "}) {
        INFO("'" << text << "'");
        REQUIRE_THROWS_AS(parse_threshold(text), Error);
    }
    REQUIRE_THROWS_WITH(parse_threshold("1.5"), Catch::Contains("neither a fraction in (0, 1) nor a whole number"));
    REQUIRE(to_string(parse_threshold("0.25")) == "0.25");
    REQUIRE(to_string(parse_threshold("7")) == "7");
}

TEST_CASE("directly built out-of-range thresholds are refused", "[probe]") {
    const std::vector<double> eig{1, 1};
    REQUIRE_THROWS_AS(keep(eig, VarianceFraction{1.0}), Error);
    REQUIRE_THROWS_AS(keep(eig, VarianceFraction{0.0}), Error);
    REQUIRE_THROWS_AS(keep(eig, ComponentCount{0}), Error);
    REQUIRE_THROWS_AS(keep(eig, ComponentCount{-3}), Error);
}
