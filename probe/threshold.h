// The component-count rule of the authors' MASC code: how many principal components a class keeps.
//
// Given a class's covariance eigenvalues λ₁ ≥ λ₂ ≥ … ≥ λ_m ≥ 0 (negative round-off already clipped):
//   VarianceFraction t ∈ (0, 1):  k = 1 + #{ i : cumsum(λ/Σλ)ᵢ ≤ t }   (ratios first, then a running sum,
//                                 as numpy's cumsum(λ / λ.sum()) does)
//   ComponentCount c ≥ 1:         k = c
// and in both cases k is capped at the rank available (`rank_cap`: d on the Gram route, the number of
// non-null eigenvalues on the small-sample route). A class with no variance at all (Σλ = 0: no rows, or
// only all-zero rows) keeps k = 0 components.
//
// A fraction and a count are distinct types on purpose: "0.99" and "5" mean different things, and the
// authors' string form (a whole number ≥ 1 is a count, anything in (0, 1) a fraction) is parsed once,
// at the edge, by parse_threshold.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace probenet::probe {

struct VarianceFraction {
    double value;  // in (0, 1)
};
struct ComponentCount {
    int64_t value;  // >= 1
};
using Threshold = std::variant<VarianceFraction, ComponentCount>;

// The paper's default: 99 % of the variance.
inline Threshold default_threshold() { return VarianceFraction{0.99}; }

// "0.99" → VarianceFraction{0.99}; "5", "5.0", "1" → ComponentCount. Rejects 0, negatives, 1.5,
// NaN/inf, trailing junk and empty text with a probenet::Error saying what is accepted.
Threshold parse_threshold(std::string_view text);

// "0.25,0.99,1" → one threshold per comma-separated entry, in order, duplicates dropped. Throws a
// probenet::Error naming the entry (its position and text) when one is not a valid threshold.
std::vector<Threshold> parse_threshold_list(std::string_view text);

// "0.99" or "5": the form parse_threshold reads back.
std::string to_string(const Threshold& threshold);

// Throws probenet::Error when a directly constructed threshold is out of range.
void validate(const Threshold& threshold);

// k for eigenvalues sorted descending (clipped ≥ 0), capped at rank_cap (0 ≤ rank_cap ≤ count).
int64_t components_to_keep(const double* eigenvalues_desc, int64_t count, int64_t rank_cap,
                           const Threshold& threshold);

}  // namespace probenet::probe
