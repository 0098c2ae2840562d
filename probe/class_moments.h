// Centred class moments from a ClassGram's streamed statistics, for the probes that need them (LDA,
// QDA): for label set s and class c with n rows, mean μ = Σx / n and centred scatter
//   S = XᵀX − n μ μᵀ = Σ (x − μ)(x − μ)ᵀ        (d×d, full symmetric, float64),
// plus a symmetric eigensolver. The subtraction cancels where a coordinate barely varies; coordinates
// whose scatter is below `kCancellation`·(XᵀX)_jj — indistinguishable from that round-off — are set
// to exactly zero (row and column), as a direct computation on the rows would give for a constant
// coordinate (e.g. a pixel that is −1 in every image of the class).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "probe/class_gram.h"

namespace probenet::probe {

inline constexpr double kCancellation = 1e-12;

std::vector<double> class_mean(const ClassGram& stats, int32_t set, int32_t c);
std::vector<double> centred_scatter(const ClassGram& stats, int32_t set, int32_t c);

// Eigenpairs of the symmetric d×d matrix `a` (full), overwritten by the eigenvectors (column j of the
// column-major result, i.e. a[j·d .. j·d + d), is eigenvector j); eigenvalues ascending.
std::vector<double> symmetric_eigen(std::vector<double>& a, int64_t d, const std::string& what);

}  // namespace probenet::probe
