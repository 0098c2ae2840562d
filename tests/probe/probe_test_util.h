// Helpers shared by the probe tests: random rows with a known spectrum, a naive Gram, and principal
// angles between subspaces (by LAPACKE_dgesvd, independent of the code under test).
#pragma once

#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "tensor/random.h"

namespace probe_test {

// n rows in ℝᵈ, row-major float32: x = Σ_j z_j·scale_j·q_j with z ~ N(0,1), q_j a random orthonormal
// basis (rows of Q) and scale_j = decay^j, so XᵀX has well-separated eigenvalues.
inline std::vector<float> spectral_rows(int64_t n, int64_t d, double decay, probenet::Rng& rng) {
    std::vector<double> q(static_cast<size_t>(d * d));
    for (double& v : q) v = rng.normal(0.0f, 1.0f);
    std::vector<double> tau(static_cast<size_t>(d));
    LAPACKE_dgeqrf(LAPACK_ROW_MAJOR, static_cast<int>(d), static_cast<int>(d), q.data(), static_cast<int>(d),
                   tau.data());
    LAPACKE_dorgqr(LAPACK_ROW_MAJOR, static_cast<int>(d), static_cast<int>(d), static_cast<int>(d), q.data(),
                   static_cast<int>(d), tau.data());
    std::vector<float> x(static_cast<size_t>(n * d), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < d; ++j) {
            const double z = rng.normal(0.0f, 1.0f) * std::pow(decay, static_cast<double>(j));
            for (int64_t t = 0; t < d; ++t) x[i * d + t] += static_cast<float>(z * q[t * d + j]);
        }
    return x;
}

// XᵀX in float64, full, column-major (symmetric, so also row-major).
inline std::vector<double> naive_gram(const float* x, int64_t n, int64_t d) {
    std::vector<double> g(static_cast<size_t>(d * d), 0.0);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t a = 0; a < d; ++a)
            for (int64_t b = 0; b < d; ++b) g[a * d + b] += double(x[i * d + a]) * double(x[i * d + b]);
    return g;
}

// Cosines of the principal angles between span(A) and span(B), A and B with k orthonormal columns of
// length d stored one after another: the singular values of AᵀB, descending.
inline std::vector<double> principal_cosines(const double* a, const double* b, int64_t d, int64_t k) {
    std::vector<double> m(static_cast<size_t>(k * k), 0.0), s(static_cast<size_t>(k)),
        superb(static_cast<size_t>(std::max<int64_t>(k, 2)));
    for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < k; ++j)
            for (int64_t t = 0; t < d; ++t) m[i * k + j] += a[i * d + t] * b[j * d + t];
    LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'N', static_cast<int>(k), static_cast<int>(k), m.data(),
                   static_cast<int>(k), s.data(), nullptr, 1, nullptr, 1, superb.data());
    return s;
}

}  // namespace probe_test
