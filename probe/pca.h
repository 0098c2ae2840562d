// Per-class PCA subspaces of one layer, as the authors' MASC code builds them.
//
// For class c with rows X (n, d): the PCA of [X; −X] is uncentred (its mean is 0), so its covariance
// (numpy's np.cov of the 2n stacked rows) is C = [X; −X]ᵀ[X; −X] / (2n − 1) = 2·XᵀX / (2n − 1)
// (checked against an SVD of [X; −X] in tests/probe/test_pca.cpp). C = V Λ Vᵀ by LAPACK on XᵀX in
// float64 (the Gram route: tridiagonalisation, all eigenvalues, then only the eigenvectors kept;
// the small route: dsyevd on XXᵀ); eigenvalues are sorted descending and negative round-off is
// clipped to 0; k comes from probe/threshold.h; the
// class subspace is spanned by U_c = V[:, :k] (d, k). The factor changes neither V nor the ratios
// λ/Σλ; it is applied only so that reported eigenvalues are the authors' covariance eigenvalues.
//
// Two routes, one subspace:
//   Gram route   (n ≥ d): eigendecompose G = XᵀX (d×d). Coordinates that are zero in every row
//                (G_ii = 0, dead ReLU units) are split off exactly first: they carry eigenvalue 0 and
//                their unit vectors are eigenvectors, so only the active block goes to LAPACK.
//                Rank cap for k: d.
//   small route  (n < d): eigendecompose XXᵀ (n×n) = W M Wᵀ; the nonzero eigenvalues are XᵀX's, and
//                u_j = Xᵀw_j / ‖Xᵀw_j‖. Rank cap for k: the numerical rank of X (eigenvalues above
//                μ_max·max(n, d)·ε), at most n — beyond it Xᵀw_j is round-off with no direction.
// Bases are float64: MASC scores in float64 like the authors, and a d×k_total float64 basis is small
// next to the d×d Grams it comes from.
//
// Which basis is stored: the k top eigenvectors U_c, or — Basis::Smaller on the Gram route when
// k > d/2 — the d − k others U_c⊥ (the eigenvectors of the smallest eigenvalues, dead unit vectors
// included), since [U_c U_c⊥] is orthogonal and so ‖U_cᵀx‖² = ‖x‖² − ‖U_c⊥ᵀx‖². MASC then costs
// 2·d·(d − k) instead of 2·d·k per row and class, and the fit maps back d − k eigenvectors instead of
// k. Memorized layers need it: MLP–MNIST at p = 0.8 keeps k ≈ 1650 of 2048 dimensions per class in
// FC(2048) (scoring 4× cheaper). The two forms give the same scores up to float64 rounding
// (tests/probe/test_pca.cpp, test_masc.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "probe/threshold.h"

namespace probenet::probe {

class ClassGram;

struct ClassSubspace {
    int64_t count = 0;          // training rows of the class
    int64_t k = 0;              // components kept (0: the class has no variance)
    bool small_sample = false;  // solved through the n×n problem
    // Covariance eigenvalues, descending, clipped ≥ 0: d of them (Gram route) or n (small route).
    std::vector<double> eigenvalues;
    // Orthonormal d-vectors, one after another: basis[j * d + i] = U(i, j) (U column-major), with
    // U = U_c (k vectors) or, when `complement`, U = U_c⊥ (d − k vectors).
    std::vector<double> basis;
    bool complement = false;
};

enum class Basis {
    TopK,     // always store U_c
    Smaller,  // store U_c⊥ instead when it has fewer vectors (k > d/2; Gram route only)
};

// G: lower triangle of the column-major d×d Gram XᵀX of `count` ≥ 1 rows. `what` names the class
// in errors (e.g. "layer fc1, class 3, true labels").
ClassSubspace pca_from_gram(const double* gram, int64_t dim, int64_t count, const Threshold& threshold,
                            const std::string& what = "pca_from_gram", Basis basis = Basis::TopK);
// rows: (count, dim) row-major, count ≥ 0 (0 gives an empty subspace).
ClassSubspace pca_from_rows(const float* rows, int64_t count, int64_t dim, const Threshold& threshold,
                            const std::string& what = "pca_from_rows");

// Scratch of pca_from_gram that a caller fitting many classes passes to each call: the d×d active
// block, the tridiagonal's eigenvectors, the divide-and-conquer's work and the eigenvectors kept
// (about 4·d² doubles). Its buffers only grow, so later calls of the same size write into memory
// already mapped: fresh pages cost a page fault and a zero-fill each, measured at ~2.5 GB/s on this
// project's virtual machine, and a fit of the memorized MLP's 2048-wide layers would otherwise map
// ~4 GB of them.
struct PcaWorkspace {
    std::vector<double> active, vectors, work, wanted;
    std::vector<int32_t> iwork;
};

// Threshold sweeps: one subspace per threshold, in order, from one eigendecomposition (the
// tridiagonalisation and all eigenvalues are shared; each threshold takes its own eigenvectors, so
// its subspace is exactly what the single-threshold call gives). `workspace`: null for a fresh one.
std::vector<ClassSubspace> pca_from_gram(const double* gram, int64_t dim, int64_t count,
                                         std::span<const Threshold> thresholds, const std::string& what,
                                         Basis basis = Basis::TopK, PcaWorkspace* workspace = nullptr);
std::vector<ClassSubspace> pca_from_rows(const float* rows, int64_t count, int64_t dim,
                                         std::span<const Threshold> thresholds, const std::string& what);

// The K class subspaces of one layer under one label set.
struct LayerSubspaces {
    std::string layer;
    int64_t dim = 0;
    int32_t label_set = 0;  // index of the label set in the ClassGram it came from
    Threshold threshold = default_threshold();
    std::vector<ClassSubspace> classes;

    int64_t k_total() const;
    std::vector<int64_t> k_per_class() const;
};

// Flushes `grams`, then fits every (label set, class), the classes in parallel (one single-threaded
// LAPACK call per OpenMP thread). Returns one LayerSubspaces per label set, in set order. When the
// label sets agreed on every row (ClassGram::label_sets_agree) the first set is fitted and copied.
std::vector<LayerSubspaces> fit_subspaces(ClassGram& grams, const Threshold& threshold,
                                          Basis basis = Basis::Smaller);
// The sweep: out[t][s] for threshold t and label set s, one eigendecomposition per (set, class).
std::vector<std::vector<LayerSubspaces>> fit_subspaces(ClassGram& grams, std::span<const Threshold> thresholds,
                                                       Basis basis = Basis::Smaller);

}  // namespace probenet::probe
