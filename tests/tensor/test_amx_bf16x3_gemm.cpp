// The AMX bf16×3 GEMM (tensor/cpu/amx_bf16x3_gemm.h) stays within its stated bound on every element,
// on shapes that leave partial tiles in rows, columns and d, for values spread over 40 binary orders
// of magnitude with both signs and zeros; and the bound is tight enough to be worth having (below
// float32's own γ_d at d = 2048). Skipped, with the reason printed, where the CPU or kernel has no
// AMX-BF16.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "tensor/cpu/amx_bf16x3_gemm.h"
#include "tensor/random.h"

using namespace probenet;

namespace {

// x (m, d) float32 and w (n, d) float64 with magnitudes 2^[-20, 20), signs at random, a tenth zeros.
void spread_values(Rng& rng, std::vector<float>& x, std::vector<double>& w) {
    const auto value = [&rng] {
        if (rng.uniform_double() < 0.1) return 0.0;
        const double mag = std::ldexp(1.0 + rng.uniform_double(), static_cast<int>(rng.uniform_double() * 40.0) - 20);
        return rng.uniform_double() < 0.5 ? -mag : mag;
    };
    for (float& v : x) v = static_cast<float>(value());
    for (double& v : w) v = value();
}

}  // namespace

TEST_CASE("AMX bf16x3 GEMM: every element within the stated bound", "[tensor][amx]") {
    if (!cpu::amx_bf16_usable()) {
        WARN("skipped: " << cpu::amx_bf16_status());
        return;
    }
    struct Shape {
        int64_t m, n, d;
    };
    Rng rng(11);
    // The last: three groups of 256 rows (the third of 18) and d in three blocks of up to 1024 (the
    // last of 64), with two column pairs per thread.
    for (const Shape s : {Shape{77, 45, 300}, Shape{64, 40, 2048}, Shape{5, 3, 7}, Shape{300, 96, 1000},
                          Shape{530, 100, 2100}}) {
        std::vector<float> x(static_cast<size_t>(s.m * s.d));
        std::vector<double> w(static_cast<size_t>(s.n * s.d));
        spread_values(rng, x, w);
        const cpu::AmxBf16x3Weights packed(w.data(), s.n, s.d);
        const int64_t ldp = s.n + 3;
        std::vector<float> p(static_cast<size_t>(s.m * ldp), -1.0f), untouched = p;
        cpu::AmxTiles scratch;
        cpu::amx_bf16x3_gemm(x.data(), s.m, packed, p.data(), ldp, scratch);
        const cpu::AmxBf16x3Bound bound = cpu::amx_bf16x3_bound(s.d);
        double worst = 0.0;  // largest error as a fraction of its bound
        for (int64_t r = 0; r < s.m; ++r) {
            for (int64_t c = 0; c < s.n; ++c) {
                long double exact = 0.0L, abs_dot = 0.0L;
                double max_x = 0.0, max_w = 0.0;
                for (int64_t i = 0; i < s.d; ++i) {
                    const long double t = static_cast<long double>(x[r * s.d + i]) * w[c * s.d + i];
                    exact += t;
                    abs_dot += std::fabs(t);
                    max_x = std::max(max_x, std::fabs(double(x[r * s.d + i])));
                    max_w = std::max(max_w, std::fabs(w[c * s.d + i]));
                }
                const double limit = bound.per_abs_dot * static_cast<double>(abs_dot) +
                                     bound.per_max_sum * (max_x + max_w + 1.0);
                const double err = std::fabs(static_cast<double>(p[r * ldp + c] - exact));
                INFO("shape (" << s.m << ", " << s.n << ", " << s.d << "), element (" << r << ", " << c << "): |p̂ − p| "
                               << err << ", bound " << limit);
                REQUIRE(err <= limit);
                worst = std::max(worst, err / limit);
            }
            for (int64_t c = s.n; c < ldp; ++c) REQUIRE(p[r * ldp + c] == untouched[r * ldp + c]);  // past n: kept
        }
        INFO("worst error " << worst << " of the bound");
        CHECK(worst > 0.0);  // the test sees rounding at all
    }
    // Worth having: tighter than float32's own worst case γ_d at the probe's widest layers.
    const double d = 2048.0, gamma_d = d * 0x1p-24 / (1.0 - d * 0x1p-24);
    REQUIRE(cpu::amx_bf16x3_bound(2048).per_abs_dot < 0.6 * gamma_d);
}

TEST_CASE("AMX bf16x3 segment sums: Σp̂² and Σ|p̂| of the GEMM's own p̂ over every column segment",
          "[tensor][amx]") {
    if (!cpu::amx_bf16_usable()) {
        WARN("skipped: " << cpu::amx_bf16_status());
        return;
    }
    Rng rng(23);
    // d = 1100: two blocks of d, whose sums meet in the kernel's partial buffer.
    for (const int64_t d : {200, 1100}) {
        INFO("d " << d);
        const int64_t m = 301, n = 150;
        std::vector<float> x(static_cast<size_t>(m * d));
        std::vector<double> w(static_cast<size_t>(n * d));
        spread_values(rng, x, w);
        const cpu::AmxBf16x3Weights packed(w.data(), n, d);
        cpu::AmxTiles scratch;
        std::vector<float> p(static_cast<size_t>(m * n));
        cpu::amx_bf16x3_gemm(x.data(), m, packed, p.data(), n, scratch);
        // Segments across pair boundaries, shorter than a pair, empty, and one to the last column.
        const std::vector<int64_t> starts = {0, 5, 5, 40, 41, 64, 100, 100, 131, 150};
        const int64_t S = static_cast<int64_t>(starts.size()) - 1;
        std::vector<double> squares(static_cast<size_t>(m * S), -1.0), abs_sums = squares, partials;
        cpu::amx_bf16x3_segment_sums(x.data(), m, packed, starts, squares.data(), abs_sums.data(), scratch, partials);
        for (int64_t r = 0; r < m; ++r)
            for (int64_t s = 0; s < S; ++s) {
                double sq = 0.0, ab = 0.0;
                for (int64_t c = starts[s]; c < starts[s + 1]; ++c) {
                    const double v = p[r * n + c];
                    sq += v * v;
                    ab += std::fabs(v);
                }
                INFO("row " << r << ", segment " << s << " [" << starts[s] << ", " << starts[s + 1] << ")");
                REQUIRE(squares[r * S + s] == Approx(sq).epsilon(1e-12).margin(0.0));
                REQUIRE(abs_sums[r * S + s] == Approx(ab).epsilon(1e-12).margin(0.0));
            }
        if (d != 200) continue;
        const std::vector<int64_t> bad = {0, 10, 149};  // must end at n
        REQUIRE_THROWS_WITH(cpu::amx_bf16x3_segment_sums(x.data(), m, packed, bad, squares.data(), abs_sums.data(),
                                                         scratch, partials),
                            Catch::Contains("from 0 to n = 150"));
    }
}

TEST_CASE("AMX bf16x3 GEMM: a wrong shape or a missing operand is refused", "[tensor][amx]") {
    REQUIRE_THROWS_WITH(cpu::AmxBf16x3Weights(nullptr, 3, 4), Catch::Contains("bad shape"));
    if (!cpu::amx_bf16_usable()) {
        WARN("skipped the GEMM half: " << cpu::amx_bf16_status());
        return;
    }
    const std::vector<double> w(12, 1.0);
    const cpu::AmxBf16x3Weights packed(w.data(), 3, 4);
    std::vector<float> x(8, 1.0f), p(6, 0.0f);
    cpu::AmxTiles scratch;
    REQUIRE_THROWS_WITH(cpu::amx_bf16x3_gemm(x.data(), 2, packed, p.data(), 2, scratch), Catch::Contains("ldp 2"));
}
