// Per-class PCA against an independent SVD of [X; −X], the small-sample route against the Gram route,
// dead coordinates, and fit_subspaces choosing the route per class.
#include <catch2/catch.hpp>

#include <lapacke.h>

#include <cmath>
#include <vector>

#include "probe/class_gram.h"
#include "probe/pca.h"
#include "probe_test_util.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::probe;
using probe_test::naive_gram;
using probe_test::principal_cosines;
using probe_test::spectral_rows;

namespace {
// The orthogonal projector onto the class subspace, (d, d): U Uᵀ, or I − U⊥U⊥ᵀ for a complement basis.
std::vector<double> projector(const ClassSubspace& s, int64_t d) {
    const int64_t vectors = static_cast<int64_t>(s.basis.size()) / d;
    std::vector<double> p(static_cast<size_t>(d * d), 0.0);
    for (int64_t j = 0; j < vectors; ++j)
        for (int64_t r = 0; r < d; ++r)
            for (int64_t c = 0; c < d; ++c) p[r * d + c] += s.basis[j * d + r] * s.basis[j * d + c];
    if (s.complement)
        for (int64_t r = 0; r < d; ++r)
            for (int64_t c = 0; c < d; ++c) p[r * d + c] = (r == c ? 1.0 : 0.0) - p[r * d + c];
    return p;
}

void require_same_subspace(const ClassSubspace& a, const ClassSubspace& b, int64_t d) {
    REQUIRE(a.k == b.k);
    if (!a.complement && !b.complement) {
        for (double cosine : principal_cosines(a.basis.data(), b.basis.data(), d, a.k))
            REQUIRE(cosine == Approx(1.0).margin(1e-9));
        return;
    }
    const std::vector<double> pa = projector(a, d), pb = projector(b, d);
    for (size_t i = 0; i < pa.size(); ++i) REQUIRE(pa[i] == Approx(pb[i]).margin(1e-9));
}

void require_orthonormal(const ClassSubspace& s, int64_t d) {
    const int64_t vectors = static_cast<int64_t>(s.basis.size()) / d;
    REQUIRE(vectors == (s.complement ? d - s.k : s.k));
    for (int64_t i = 0; i < vectors; ++i)
        for (int64_t j = 0; j < vectors; ++j) {
            double dot = 0;
            for (int64_t t = 0; t < d; ++t) dot += s.basis[i * d + t] * s.basis[j * d + t];
            REQUIRE(dot == Approx(i == j ? 1.0 : 0.0).margin(1e-10));
        }
}
}  // namespace

TEST_CASE("PCA from the Gram matches an SVD of [X; -X]: same k, same subspace, same spectrum", "[probe]") {
    Rng rng(11);
    const int64_t n = 400, d = 24;
    const std::vector<float> x = spectral_rows(n, d, 0.8, rng);
    // Reference: singular values and right singular vectors of the stacked 2n×d matrix, in float64.
    std::vector<double> a(static_cast<size_t>(2 * n * d));
    for (int64_t i = 0; i < n * d; ++i) a[i] = x[i], a[n * d + i] = -double(x[i]);
    std::vector<double> sv(d), vt(d * d), superb(d);
    REQUIRE(LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'N', 'A', int(2 * n), int(d), a.data(), int(d), sv.data(), nullptr, 1,
                           vt.data(), int(d), superb.data()) == 0);
    std::vector<double> lambda(d);
    double total = 0;
    for (int64_t j = 0; j < d; ++j) total += lambda[j] = sv[j] * sv[j] / double(2 * n - 1);

    for (double t : {0.5, 0.9, 0.99}) {
        INFO("t = " << t);
        int64_t below = 0;
        double cumulative = 0;
        for (int64_t j = 0; j < d; ++j) below += (cumulative += lambda[j] / total) <= t;
        const int64_t k_ref = 1 + below;

        const std::vector<double> g = naive_gram(x.data(), n, d);
        const ClassSubspace s = pca_from_gram(g.data(), d, n, VarianceFraction{t});
        REQUIRE(s.k == k_ref);
        REQUIRE(s.k < d);
        REQUIRE_FALSE(s.small_sample);
        for (int64_t j = 0; j < d; ++j) REQUIRE(s.eigenvalues[j] == Approx(lambda[j]).epsilon(1e-9).margin(1e-15));
        // Right singular vectors are the rows of Vᵀ: exactly our storage, one vector after another.
        for (double cosine : principal_cosines(s.basis.data(), vt.data(), d, s.k))
            REQUIRE(cosine == Approx(1.0).margin(1e-9));
        require_orthonormal(s, d);
    }
}

TEST_CASE("the small-sample route (n < d) gives the subspace the Gram route gives", "[probe]") {
    Rng rng(12);
    const int64_t n = 15, d = 40;
    const std::vector<float> x = spectral_rows(n, d, 0.85, rng);
    const std::vector<double> g = naive_gram(x.data(), n, d);
    for (const Threshold& t : {Threshold{VarianceFraction{0.9}}, Threshold{VarianceFraction{0.99}},
                               Threshold{ComponentCount{3}}, Threshold{ComponentCount{n}}}) {
        INFO("threshold " << to_string(t));
        const ClassSubspace small = pca_from_rows(x.data(), n, d, t);
        const ClassSubspace big = pca_from_gram(g.data(), d, n, t);
        REQUIRE(small.small_sample);
        REQUIRE(small.eigenvalues.size() == size_t(n));
        for (int64_t j = 0; j < n; ++j)
            REQUIRE(small.eigenvalues[j] == Approx(big.eigenvalues[j]).epsilon(1e-9).margin(1e-12));
        require_same_subspace(small, big, d);
        require_orthonormal(small, d);
    }
    // More components than rows: the small route stops at the rank of X.
    REQUIRE(pca_from_rows(x.data(), n, d, ComponentCount{d}).k == n);
    REQUIRE(pca_from_gram(g.data(), d, n, ComponentCount{d}).k == d);
}

TEST_CASE("rank-deficient and empty classes", "[probe]") {
    // Three copies of one row: rank 1, whatever the count threshold asks for on the small route.
    const std::vector<float> x{1, 2, 2, 1, 2, 2, -1, -2, -2};
    const ClassSubspace s = pca_from_rows(x.data(), 3, 3, ComponentCount{3});
    REQUIRE(s.k == 1);
    REQUIRE(std::abs(s.basis[0]) == Approx(1.0 / 3));
    REQUIRE(pca_from_rows(nullptr, 0, 5, VarianceFraction{0.99}).k == 0);
    const std::vector<float> zeros(12, 0.0f);
    REQUIRE(pca_from_rows(zeros.data(), 3, 4, VarianceFraction{0.99}).k == 0);
    const std::vector<double> zero_gram(16, 0.0);
    REQUIRE(pca_from_gram(zero_gram.data(), 4, 5, ComponentCount{2}).k == 0);
}

TEST_CASE("dead coordinates are split off exactly on the Gram route", "[probe]") {
    Rng rng(13);
    const int64_t n = 200, live = 8, d = 12;
    const std::vector<float> dense = spectral_rows(n, live, 0.7, rng);
    // Spread the live columns over d with zero columns at 0, 3, 7, 11.
    const std::vector<int64_t> where{1, 2, 4, 5, 6, 8, 9, 10};
    std::vector<float> x(static_cast<size_t>(n * d), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < live; ++j) x[i * d + where[j]] = dense[i * live + j];
    const std::vector<double> gd = naive_gram(dense.data(), n, live), gx = naive_gram(x.data(), n, d);
    const ClassSubspace ref = pca_from_gram(gd.data(), live, n, VarianceFraction{0.99});
    const ClassSubspace got = pca_from_gram(gx.data(), d, n, VarianceFraction{0.99});
    REQUIRE(got.k == ref.k);
    for (int64_t j = 0; j < live; ++j) REQUIRE(got.eigenvalues[j] == Approx(ref.eigenvalues[j]).epsilon(1e-12));
    for (int64_t j = live; j < d; ++j) REQUIRE(got.eigenvalues[j] == 0.0);
    for (int64_t j = 0; j < got.k; ++j) {
        double dot = 0;
        for (int64_t t = 0; t < live; ++t) dot += got.basis[j * d + where[t]] * ref.basis[j * live + t];
        REQUIRE(std::abs(dot) == Approx(1.0).epsilon(1e-10));
    }
    // A count past the live block is filled with unit vectors of the dead coordinates.
    const ClassSubspace all = pca_from_gram(gx.data(), d, n, ComponentCount{d});
    REQUIRE(all.k == d);
    require_orthonormal(all, d);
}

TEST_CASE("Basis::Smaller stores the orthogonal complement when k > d/2, spanning the same subspace",
          "[probe]") {
    Rng rng(15);
    const int64_t n = 300, live = 8, d = 12;
    const std::vector<float> dense = spectral_rows(n, live, 0.7, rng);
    const std::vector<int64_t> where{1, 2, 4, 5, 6, 8, 9, 10};  // zero columns at 0, 3, 7, 11
    std::vector<float> x(static_cast<size_t>(n * d), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < live; ++j) x[i * d + where[j]] = dense[i * live + j];
    const std::vector<double> g = naive_gram(x.data(), n, d);
    // k = 3 and 6: U_c is stored (k ≤ d/2); 7: U_c⊥ = the last live eigenvector and the 4 dead unit
    // vectors; 10: U_c⊥ = the 2 dead unit vectors U_c did not take; 12: U_c⊥ is empty.
    for (int64_t k : {3, 6, 7, 10, 12}) {
        INFO("k = " << k);
        const ClassSubspace top = pca_from_gram(g.data(), d, n, ComponentCount{k}, "top", Basis::TopK);
        const ClassSubspace small = pca_from_gram(g.data(), d, n, ComponentCount{k}, "smaller", Basis::Smaller);
        REQUIRE(!top.complement);
        REQUIRE(small.complement == (2 * k > d));
        REQUIRE(small.k == k);
        require_orthonormal(top, d);
        require_orthonormal(small, d);
        require_same_subspace(top, small, d);
        // Every complement vector is orthogonal to every top vector.
        if (small.complement)
            for (int64_t i = 0; i < k; ++i)
                for (int64_t j = 0; j < d - k; ++j) {
                    double dot = 0;
                    for (int64_t t = 0; t < d; ++t) dot += top.basis[i * d + t] * small.basis[j * d + t];
                    REQUIRE(dot == Approx(0.0).margin(1e-10));
                }
    }
}

TEST_CASE("fit_subspaces takes the small route below d rows and the Gram route from d rows on", "[probe]") {
    Rng rng(14);
    const int64_t d = 20;
    const std::vector<float> few = spectral_rows(12, d, 0.8, rng), many = spectral_rows(60, d, 0.8, rng);
    const std::vector<int32_t> c0(12, 0), c1(60, 1);
    ClassGram g("fc", d, 3, 1, {.chunk_rows = 7});
    g.add(few.data(), 12, c0.data());
    for (int64_t b = 0; b < 60; b += 9) g.add(many.data() + b * d, std::min<int64_t>(9, 60 - b), c1.data() + b);
    const std::vector<LayerSubspaces> fit = fit_subspaces(g, VarianceFraction{0.95});
    REQUIRE(fit.size() == 1);
    const LayerSubspaces& s = fit[0];
    REQUIRE(s.layer == "fc");
    REQUIRE(s.classes[0].small_sample);
    REQUIRE_FALSE(s.classes[1].small_sample);
    REQUIRE(s.classes[2].k == 0);  // no rows
    require_same_subspace(s.classes[0], pca_from_rows(few.data(), 12, d, VarianceFraction{0.95}), d);
    const std::vector<double> g1 = naive_gram(many.data(), 60, d);
    require_same_subspace(s.classes[1], pca_from_gram(g1.data(), d, 60, VarianceFraction{0.95}), d);
    REQUIRE(s.k_total() == s.classes[0].k + s.classes[1].k);
    REQUIRE(s.k_per_class() == std::vector<int64_t>{s.classes[0].k, s.classes[1].k, 0});
}
