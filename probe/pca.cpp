#include "probe/pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <exception>

#include "probe/class_gram.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

// Eigenpairs of the symmetric m×m matrix in `a` (lower triangle, column-major), overwritten by the
// eigenvectors; eigenvalues ascending in w, as LAPACK returns them.
void symmetric_eigen(std::vector<double>& a, int64_t m, std::vector<double>& w, const std::string& what) {
    w.resize(static_cast<size_t>(m));
    const lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', static_cast<lapack_int>(m), a.data(),
                                           static_cast<lapack_int>(m), w.data());
    PROBENET_CHECK(info == 0, what, ": LAPACKE_dsyevd on a ", m, "×", m, " matrix failed with info ", info,
                   info > 0 ? " (no convergence: the Gram may contain NaN or inf; check the layer's outputs)"
                            : " (bad argument)");
}

// Covariance eigenvalues 2μ/(2n−1), descending, clipped at 0, from LAPACK's ascending μ.
std::vector<double> covariance_spectrum(const std::vector<double>& ascending, int64_t count, size_t total) {
    const double scale = 2.0 / (2.0 * static_cast<double>(count) - 1.0);
    std::vector<double> out(total, 0.0);
    for (size_t i = 0; i < ascending.size(); ++i) out[i] = std::max(0.0, ascending[ascending.size() - 1 - i] * scale);
    return out;
}

}  // namespace

std::vector<ClassSubspace> pca_from_gram(const double* gram, int64_t dim, int64_t count,
                                         std::span<const Threshold> thresholds, const std::string& what,
                                         Basis basis, PcaWorkspace* workspace) {
    static_assert(sizeof(lapack_int) == sizeof(int32_t), "PcaWorkspace::iwork holds LAPACK integers");
    PcaWorkspace fresh;
    PcaWorkspace& ws = workspace ? *workspace : fresh;
    const auto at_least = [](auto& v, int64_t n) {  // grow only: a later call reuses mapped memory
        if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
    };
    PROBENET_CHECK(gram != nullptr && dim >= 1 && count >= 1, what,
                   ": need a Gram of dim >= 1 from >= 1 rows, got dim ", dim, ", ", count, " rows");
    PROBENET_CHECK(!thresholds.empty(), what, ": no threshold given");
    for (const Threshold& t : thresholds) validate(t);
    // Split off dead coordinates exactly: a zero diagonal entry of a PSD matrix means a zero row/column.
    std::vector<int64_t> active, dead;
    for (int64_t i = 0; i < dim; ++i) (gram[i * dim + i] > 0.0 ? active : dead).push_back(i);
    const int64_t m = static_cast<int64_t>(active.size());
    at_least(ws.active, m * m);  // its upper triangle is never read: dsytrd and dormtr read 'L' only
    double* a = ws.active.data();
    for (int64_t q = 0; q < m; ++q)
        for (int64_t p = q; p < m; ++p) a[q * m + p] = gram[active[q] * dim + active[p]];

    // Only k eigenvectors (or d − k, see Basis) are needed, and k is known only from all the
    // eigenvalues: tridiagonalise once (dsytrd, the bulk of the work), take every eigenvalue of the
    // tridiagonal (dsterf), then just the eigenvectors needed, mapped back by the Householder
    // reflectors (dormtr) — which skips most of what dsyevd spends on all d eigenvectors (2048×2048,
    // k = 240: 0.9 s vs 1.4 s). A threshold sweep shares the tridiagonalisation and the eigenvalues;
    // each threshold then takes its own eigenvectors, exactly as a run with that threshold alone would.
    std::vector<double> diag(static_cast<size_t>(m)), off(static_cast<size_t>(std::max<int64_t>(m, 1))),
        tau(static_cast<size_t>(std::max<int64_t>(m, 1))), w;
    const lapack_int lm = static_cast<lapack_int>(m);
    if (m > 0) {
        lapack_int info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', lm, a, lm, diag.data(), off.data(), tau.data());
        PROBENET_CHECK(info == 0, what, ": LAPACKE_dsytrd on a ", m, "×", m, " Gram failed with info ", info);
        w = diag;
        std::vector<double> e = off;
        info = LAPACKE_dsterf(lm, w.data(), e.data());
        PROBENET_CHECK(info == 0, what, ": LAPACKE_dsterf on a ", m, "×", m, " Gram did not converge (info ", info,
                       "); the Gram may contain NaN or inf: check the layer's outputs");
    }
    const std::vector<double> eigenvalues = covariance_spectrum(w, count, static_cast<size_t>(dim));
    std::vector<ClassSubspace> outs;
    for (const Threshold& threshold : thresholds) {
        ClassSubspace& out = outs.emplace_back();
        out.count = count;
        out.eigenvalues = eigenvalues;
        out.k = components_to_keep(out.eigenvalues.data(), dim, dim, threshold);
        // Which eigenvectors of the active block, as an index range [lo, lo + wanted) in LAPACK's
        // ascending order: the top min(k, m) for U_c, or the m − min(k, m) below them for U_c⊥.
        out.complement = basis == Basis::Smaller && 2 * out.k > dim;
        const int64_t top_active = std::min(out.k, m);
        const int64_t lo = out.complement ? 0 : m - top_active;
        const int64_t wanted = out.complement ? m - top_active : top_active;

        // z (m, wanted) column-major: those eigenvectors of the tridiagonal, ascending like LAPACK's.
        // Few of them: MRRR on just that index range (dstemr). Many (it then bisects for each, which
        // costs more than all vectors at once): divide and conquer on the whole tridiagonal (dstedc),
        // which is also the fallback should MRRR give up on a cluster.
        at_least(ws.wanted, m * wanted);
        double* z = ws.wanted.data();
        if (wanted > 0) {
            bool done = false;
            if (wanted * 6 <= m) {
                std::vector<double> d2 = diag, e2 = off, w2(static_cast<size_t>(m));
                std::vector<lapack_int> support(static_cast<size_t>(2 * wanted));
                lapack_int found = 0;
                lapack_logical tryrac = 1;
                const lapack_int info = LAPACKE_dstemr(LAPACK_COL_MAJOR, 'V', 'I', lm, d2.data(), e2.data(), 0.0,
                                                       0.0, static_cast<lapack_int>(lo + 1),
                                                       static_cast<lapack_int>(lo + wanted), &found, w2.data(),
                                                       z, lm, static_cast<lapack_int>(wanted), support.data(),
                                                       &tryrac);
                done = info == 0 && found == wanted;
            }
            if (!done) {
                // LAPACKE_dstedc's own sizes (its workspace query), in the reused workspace.
                std::vector<double> d2 = diag, e2 = off;
                double lwork = 0.0;
                lapack_int liwork = 0;
                lapack_int info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'I', lm, d2.data(), e2.data(), nullptr, lm,
                                                      &lwork, -1, &liwork, -1);
                PROBENET_CHECK(info == 0, what, ": LAPACKE_dstedc workspace query failed with info ", info);
                at_least(ws.vectors, m * m);
                at_least(ws.work, static_cast<int64_t>(lwork));
                at_least(ws.iwork, liwork);
                info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'I', lm, d2.data(), e2.data(), ws.vectors.data(), lm,
                                           ws.work.data(), static_cast<lapack_int>(lwork), ws.iwork.data(), liwork);
                PROBENET_CHECK(info == 0, what, ": LAPACKE_dstedc on the ", m, "×", m,
                               " tridiagonal failed with info ", info);
                std::copy_n(ws.vectors.data() + lo * m, m * wanted, z);
            }
            const lapack_int info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', lm,
                                                   static_cast<lapack_int>(wanted), a, lm, tau.data(),
                                                   z, lm);
            PROBENET_CHECK(info == 0, what, ": LAPACKE_dormtr failed with info ", info);
        }
        // Dead unit vectors (eigenvalue 0) come after the active block: U_c takes the first k − m of
        // them (only a component count gets there), U_c⊥ the rest.
        const int64_t dead_in_top = std::max<int64_t>(out.k - m, 0);
        const int64_t vectors = out.complement ? dim - out.k : out.k;
        out.basis.assign(static_cast<size_t>(vectors * dim), 0.0);
        for (int64_t j = 0; j < vectors; ++j) {
            double* u = out.basis.data() + j * dim;
            if (j < wanted) {  // U_c: largest first; U_c⊥: any order
                const double* v = z + (out.complement ? j : wanted - 1 - j) * m;
                for (int64_t p = 0; p < m; ++p) u[active[p]] = v[p];
            } else {
                u[dead[(out.complement ? dead_in_top : 0) + j - wanted]] = 1.0;
            }
        }
    }
    return outs;
}

ClassSubspace pca_from_gram(const double* gram, int64_t dim, int64_t count, const Threshold& threshold,
                            const std::string& what, Basis basis) {
    return std::move(pca_from_gram(gram, dim, count, std::span(&threshold, 1), what, basis)[0]);
}

std::vector<ClassSubspace> pca_from_rows(const float* rows, int64_t count, int64_t dim,
                                         std::span<const Threshold> thresholds, const std::string& what) {
    PROBENET_CHECK(dim >= 1 && count >= 0 && (count == 0 || rows != nullptr), what, ": need rows (", count, ", ",
                   dim, ") with dim >= 1");
    PROBENET_CHECK(!thresholds.empty(), what, ": no threshold given");
    for (const Threshold& t : thresholds) validate(t);
    ClassSubspace empty;
    empty.count = count;
    empty.small_sample = true;
    std::vector<ClassSubspace> outs(thresholds.size(), empty);
    if (count == 0) return outs;
    const int n = static_cast<int>(count), d = static_cast<int>(dim);
    const std::vector<double> x(rows, rows + count * dim);  // (n, d) row-major = column-major d×n A = Xᵀ
    std::vector<double> s(static_cast<size_t>(count * count)), mu;
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, n, d, 1.0, x.data(), d, 0.0, s.data(), n);  // AᵀA = XXᵀ
    symmetric_eigen(s, count, mu, what);

    const std::vector<double> eigenvalues = covariance_spectrum(mu, count, static_cast<size_t>(count));
    const double tol = std::max(0.0, mu.back()) * static_cast<double>(std::max(count, dim)) * DBL_EPSILON;
    int64_t rank = 0;
    while (rank < count && mu[static_cast<size_t>(count - 1 - rank)] > tol) ++rank;
    for (size_t t = 0; t < thresholds.size(); ++t) {
        ClassSubspace& out = outs[t];
        out.eigenvalues = eigenvalues;
        out.k = components_to_keep(out.eigenvalues.data(), count, rank, thresholds[t]);
        if (out.k == 0) continue;
        // U (d×k) = Xᵀ W_k with W_k the eigenvectors of the k largest eigenvalues, largest first.
        std::vector<double> wk(static_cast<size_t>(count * out.k));
        for (int64_t j = 0; j < out.k; ++j)
            std::copy_n(s.data() + (count - 1 - j) * count, count, wk.data() + j * count);
        out.basis.resize(static_cast<size_t>(dim * out.k));
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, d, static_cast<int>(out.k), n, 1.0, x.data(), d,
                    wk.data(), n, 0.0, out.basis.data(), d);
        for (int64_t j = 0; j < out.k; ++j) {
            double* u = out.basis.data() + j * dim;
            const double norm = cblas_dnrm2(d, u, 1);
            cblas_dscal(d, 1.0 / norm, u, 1);
        }
    }
    return outs;
}

ClassSubspace pca_from_rows(const float* rows, int64_t count, int64_t dim, const Threshold& threshold,
                            const std::string& what) {
    return std::move(pca_from_rows(rows, count, dim, std::span(&threshold, 1), what)[0]);
}

int64_t LayerSubspaces::k_total() const {
    int64_t total = 0;
    for (const ClassSubspace& c : classes) total += c.k;
    return total;
}

std::vector<int64_t> LayerSubspaces::k_per_class() const {
    std::vector<int64_t> ks;
    for (const ClassSubspace& c : classes) ks.push_back(c.k);
    return ks;
}

std::vector<std::vector<LayerSubspaces>> fit_subspaces(ClassGram& grams, std::span<const Threshold> thresholds,
                                                       Basis basis) {
    PROBENET_CHECK(!thresholds.empty(), "fit_subspaces(layer ", grams.layer(), "): no threshold given");
    for (const Threshold& t : thresholds) validate(t);
    grams.flush();
    const int32_t sets = grams.num_label_sets(), classes = grams.num_classes();
    const size_t T = thresholds.size();
    std::vector<std::vector<LayerSubspaces>> out(T, std::vector<LayerSubspaces>(static_cast<size_t>(sets)));
    for (size_t t = 0; t < T; ++t)
        for (int32_t s = 0; s < sets; ++s) {
            LayerSubspaces& l = out[t][s];
            l.layer = grams.layer();
            l.dim = grams.dim();
            l.label_set = s;
            l.threshold = thresholds[t];
            l.classes.resize(static_cast<size_t>(classes));
        }
    // A label set that agreed on every row with an earlier one has identical statistics: fit the
    // earlier one, copy it.
    std::vector<int32_t> fitted;
    for (int32_t s = 0; s < sets; ++s)
        if (grams.same_as(s) == s) fitted.push_back(s);
    const int64_t tasks = static_cast<int64_t>(fitted.size()) * classes;
    std::exception_ptr failure;
    std::vector<PcaWorkspace> workspaces(static_cast<size_t>(omp_get_max_threads()));  // one per thread
#pragma omp parallel for schedule(dynamic, 1) if (tasks > 1)
    for (int64_t task = 0; task < tasks; ++task) {
        const int32_t s = fitted[static_cast<size_t>(task / classes)], c = static_cast<int32_t>(task % classes);
        try {
            const std::string what = "fit_subspaces(layer " + grams.layer() + ", label set " + std::to_string(s) +
                                     ", class " + std::to_string(c) + ")";
            std::vector<ClassSubspace> fits =
                grams.has_gram(s, c)
                    ? pca_from_gram(grams.gram(s, c), grams.dim(), grams.count(s, c), thresholds, what, basis,
                                    &workspaces[static_cast<size_t>(omp_get_thread_num())])
                    : pca_from_rows(grams.raw_rows(s, c), grams.count(s, c), grams.dim(), thresholds, what);
            for (size_t t = 0; t < T; ++t) out[t][s].classes[c] = std::move(fits[t]);
        } catch (...) {
#pragma omp critical(probe_fit_failure)
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
    for (size_t t = 0; t < T; ++t)
        for (int32_t s = 0; s < sets; ++s)
            if (grams.same_as(s) != s) out[t][s].classes = out[t][grams.same_as(s)].classes;
    return out;
}

std::vector<LayerSubspaces> fit_subspaces(ClassGram& grams, const Threshold& threshold, Basis basis) {
    return std::move(fit_subspaces(grams, std::span(&threshold, 1), basis)[0]);
}

}  // namespace probenet::probe
