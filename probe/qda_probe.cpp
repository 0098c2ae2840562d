// Quadratic discriminant analysis as scikit-learn's QuadraticDiscriminantAnalysis(reg_param = r)
// predicts (the authors ran the default r = 0), from the streamed class sums and Grams.
//
// scikit-learn, per class c with n_c rows: Σ_c = Xcᵀ Xc /(n_c − 1) for the centred rows Xc, = V S² Vᵀ;
// S² ← (1 − r) S² + r; decision_c(x) = −½ (‖diag(S²)^−½ Vᵀ(x − μ_c)‖² + Σ log S²) + log π_c; argmax,
// ties to the lowest class. Here Σ_c = (G_c − n_c μ_c μ_cᵀ)/(n_c − 1) (probe/class_moments.h) and its
// eigenpairs (LAPACK dsyevd) stand for the SVD of Xc.
//
// A class with no more rows than dimensions (n_c ≤ d: small --train-size, wide layers, AlexNet's 4096
// units against CIFAR-100's 500 images a class) has centred rows of rank ≤ n_c − 1. scikit-learn's
// thin SVD then keeps n_c directions, the last a null vector that LAPACK picks arbitrarily and that
// dominates the score; probenet keeps the n_c − 1 defined directions and scores each class inside its
// span (a named deviation; scripts/probe_reference.py's qda_span is the same formula in numpy, and
// equals scikit-learn's result whenever n_c > d). This also bounds memory by K·d·(n_c − 1).
//
// Rank deficiency: on wide layers (dead ReLU units, d ≥ n_c, constant pixels) Σ_c is singular. With
// r = 0 scikit-learn warns "Variables are collinear" and divides by eigenvalues that are round-off
// (or 0, giving inf/NaN scores): the predictions then depend on noise. This probe does the same up to
// round-off — eigenvalues below λ_max·d·ε are raised to that floor so scores stay finite — and says
// so in note(): how many classes are rank-deficient, their smallest rank, and to use --qda-reg.
// Cost: predict is one (b, d)·(d, kept) float64 GEMM per class and block; memory K·d·kept doubles per set.
#include <cblas.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>

#include "probe/class_moments.h"
#include "probe/probe.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

constexpr double kTol = 1e-4;  // scikit-learn's default tol: the "collinear" warning's rank cut

class QdaProbe : public Probe {
public:
    explicit QdaProbe(double reg) : reg_(reg) {
        PROBENET_CHECK(reg_ >= 0.0 && reg_ <= 1.0, "--qda-reg must be in [0, 1], got ", reg_);
    }

    void fit(const TrainingData& data) override {
        dim_ = data.dim();
        classes_ = data.num_classes();
        sets_ = data.num_sets();
        const int64_t d = dim_, groups = int64_t{sets_} * classes_;
        whiten_.assign(static_cast<size_t>(groups), {});
        means_.assign(static_cast<size_t>(groups), {});
        constant_.assign(static_cast<size_t>(groups), -std::numeric_limits<double>::infinity());
        notes_.clear();
        for (int32_t s = 0; s < sets_; ++s) {
            int64_t n = 0, deficient = 0, min_rank = d;
            for (int32_t c = 0; c < classes_; ++c) n += data.stats.count(s, c);
            if (const int32_t t = data.stats.same_as(s); t != s) {  // identical statistics: reuse set t
                for (int32_t c = 0; c < classes_; ++c) {
                    whiten_[int64_t{s} * classes_ + c] = whiten_[int64_t{t} * classes_ + c];
                    means_[int64_t{s} * classes_ + c] = means_[int64_t{t} * classes_ + c];
                    constant_[int64_t{s} * classes_ + c] = constant_[int64_t{t} * classes_ + c];
                }
                continue;
            }
            for (int32_t c = 0; c < classes_; ++c) {
                const int64_t nc = data.stats.count(s, c);
                if (nc == 0) continue;
                const std::string what = "qda probe (layer " + data.stats.layer() + ", " + data.label_sets.at(s) +
                                         " labels, class " + std::to_string(c) + ")";
                PROBENET_CHECK(nc >= 2, what, ": only one row; QDA needs at least 2 per class (as scikit-learn)");
                std::vector<double> v = centred_scatter(data.stats, s, c);
                for (double& x : v) x /= static_cast<double>(nc - 1);
                std::vector<double> lambda = symmetric_eigen(v, d, what);  // ascending
                // The class's span: all d directions when n_c > d, else the n_c − 1 of its centred rows.
                const int64_t kept = nc > d ? d : nc - 1, first = d - kept;
                const double floor = std::max(lambda[d - 1], 0.0) * static_cast<double>(d) * DBL_EPSILON;
                int64_t rank = 0;
                double log_det = 0.0;
                for (int64_t j = first; j < d; ++j) {
                    double& l = lambda[j];
                    l = (1.0 - reg_) * std::max(l, 0.0) + reg_;
                    rank += l > kTol;
                    l = std::max(l, floor > 0.0 ? floor : DBL_MIN);
                    log_det += std::log(l);
                }
                if (rank < d) ++deficient, min_rank = std::min(min_rank, rank);
                // whiten (d, kept) row-major: column j = v_{first+j} / √λ_{first+j}, so
                // (x − μ)ᵀ·whiten = diag(λ)^−½ Vᵀ(x − μ) over the kept directions.
                auto whiten = std::make_shared<Whitening>();
                whiten->columns = kept;  // ≥ 1: n_c ≥ 2 was checked
                std::vector<double>& m = whiten->matrix;
                m.resize(static_cast<size_t>(d * kept));
                for (int64_t j = 0; j < kept; ++j) {
                    const double inv = 1.0 / std::sqrt(lambda[first + j]);
                    for (int64_t i = 0; i < d; ++i) m[i * kept + j] = v[(first + j) * d + i] * inv;
                }
                whiten_[static_cast<size_t>(int64_t{s} * classes_ + c)] = std::move(whiten);
                means_[static_cast<size_t>(int64_t{s} * classes_ + c)] = class_mean(data.stats, s, c);
                constant_[static_cast<size_t>(int64_t{s} * classes_ + c)] =
                    -0.5 * log_det + std::log(static_cast<double>(nc) / static_cast<double>(n));
            }
            if (deficient > 0)
                notes_ += (notes_.empty() ? "" : "; ") + data.label_sets[s] + " labels: " + std::to_string(deficient) +
                          " of " + std::to_string(classes_) + " class covariances rank-deficient (rank " +
                          std::to_string(min_rank) + " of " + std::to_string(d) + " at tol 1e-4)" +
                          (reg_ == 0.0 ? ", so with --qda-reg 0 (scikit-learn's default) the scores divide by "
                                         "round-off and the accuracy is not meaningful; try --qda-reg 0.1"
                                       : "");
        }
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        const int64_t d = dim_, block = 512;
        std::vector<double> centred, projected, scores;
        for (int64_t b0 = 0; b0 < n; b0 += block) {
            const int64_t b = std::min(block, n - b0);
            scores.assign(static_cast<size_t>(b * sets_ * classes_), -std::numeric_limits<double>::infinity());
            for (int64_t g = 0; g < int64_t{sets_} * classes_; ++g) {
                if (!whiten_[g]) continue;
                const auto same = std::find(whiten_.begin(), whiten_.begin() + g, whiten_[g]);
                if (same != whiten_.begin() + g) {  // a set with identical statistics: same scores
                    for (int64_t i = 0; i < b; ++i)
                        scores[i * sets_ * classes_ + g] = scores[i * sets_ * classes_ + (same - whiten_.begin())];
                    continue;
                }
                centred.resize(static_cast<size_t>(b * d));
                for (int64_t i = 0; i < b; ++i)
                    for (int64_t j = 0; j < d; ++j) centred[i * d + j] = rows[(b0 + i) * d + j] - means_[g][j];
                const int64_t r = whiten_[g]->columns;
                projected.resize(static_cast<size_t>(b * r));
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(b), static_cast<int>(r),
                            static_cast<int>(d), 1.0, centred.data(), static_cast<int>(d), whiten_[g]->matrix.data(),
                            static_cast<int>(r), 0.0, projected.data(), static_cast<int>(r));
                for (int64_t i = 0; i < b; ++i) {
                    double norm2 = 0.0;
                    for (int64_t j = 0; j < r; ++j) norm2 += projected[i * r + j] * projected[i * r + j];
                    scores[i * sets_ * classes_ + g] = -0.5 * norm2 + constant_[g];
                }
            }
            for (int64_t i = 0; i < b; ++i)
                for (int32_t s = 0; s < sets_; ++s) {
                    const double* v = scores.data() + (i * sets_ + s) * classes_;
                    int32_t best = 0;
                    for (int32_t c = 1; c < classes_; ++c)
                        if (v[c] > v[best]) best = c;
                    predictions[s][b0 + i] = best;
                }
        }
    }

    std::string note() const override { return notes_; }
    int64_t bytes_held() const override {
        int64_t bytes = 0;
        for (size_t g = 0; g < whiten_.size(); ++g)  // each matrix once, however many sets share it
            if (whiten_[g] && std::find(whiten_.begin(), whiten_.begin() + g, whiten_[g]) == whiten_.begin() + g)
                bytes += static_cast<int64_t>(whiten_[g]->matrix.size()) * 8;
        return bytes;
    }

private:
    double reg_;
    int64_t dim_ = 0;
    int32_t classes_ = 0, sets_ = 0;
    struct Whitening {
        std::vector<double> matrix;  // (d, columns) row-major
        int64_t columns = 0;         // the kept directions: d, or n_c − 1 when n_c ≤ d
    };
    std::vector<std::shared_ptr<const Whitening>> whiten_;  // per (set, class); shared by identical sets
    std::vector<std::vector<double>> means_;                           // per (set, class)
    std::vector<double> constant_;                     // −½ log det + log π, per (set, class)
    std::string notes_;
};

}  // namespace

std::unique_ptr<Probe> make_qda_probe(const ProbeOptions& options) { return std::make_unique<QdaProbe>(options.qda_reg); }

}  // namespace probenet::probe
