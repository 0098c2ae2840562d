// Linear discriminant analysis as scikit-learn's LinearDiscriminantAnalysis() predicts (solver "svd",
// no shrinkage, priors = class frequencies, tol = 1e-4), from the streamed class sums and Grams.
//
// scikit-learn's svd solver, per label set, with n rows, K classes present, means μ_c, priors π_c = n_c/n
// and x̄ = Σ π_c μ_c, works on the stacked class-centred rows Xc (n, d):
//   1. σ_j = std of column j of Xc (1 where it is 0); A = √(1/(n − K)) · Xc / σ; A = U S Vᵀ;
//      r = #{S > tol}; T = V_r S_r⁻¹ scaled row-wise by 1/σ (d, r)
//   2. B = diag(√(n π_c /(K − 1))) (μ_c − x̄)ᵀ T (K, r); B = U₂ S₂ V₂ᵀ; r₂ = #{S₂ > tol·S₂[0]};
//      T₂ = T V₂[:, :r₂] (d, r₂)
//   3. coef_c = (μ_c − x̄) T₂; decision_c(x) = (x − x̄) T₂ coef_cᵀ − ½‖coef_c‖² + log π_c; argmax.
// Everything in 1–2 depends on Xc only through XcᵀXc = W = Σ_c (G_c − n_c μ_c μ_cᵀ), the pooled
// within-class scatter (probe/class_moments.h): σ_j² = W_jj / n (Xc's columns have mean 0), and
// S², V are the eigenpairs of AᵀA = D⁻¹ W D⁻¹ / (n − K) (D = diag σ). B's right singular vectors come
// from the K×K eigenproblem B Bᵀ = U₂ S₂² U₂ᵀ as V₂ = Bᵀ U₂ S₂⁻¹. The fitted rule is linear: scores
// x·M + b with M = T₂ coefᵀ (d, K) and b_c = −x̄·M_c − ½‖coef_c‖² + log π_c, one float64 GEMM per
// block. A class absent from a label set scores −∞. Ties go to the lowest class.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "probe/class_moments.h"
#include "probe/linear_rule.h"
#include "probe/probe.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

constexpr double kTol = 1e-4;  // scikit-learn's default tol

class LdaProbe : public Probe {
public:
    void fit(const TrainingData& data) override {
        dim_ = data.dim();
        classes_ = data.num_classes();
        sets_ = data.num_sets();
        weights_.assign(static_cast<size_t>(sets_ * classes_ * dim_), 0.0);
        bias_.assign(static_cast<size_t>(sets_ * classes_), -std::numeric_limits<double>::infinity());
        notes_.clear();
        for (int32_t s = 0; s < sets_; ++s) {
            if (const int32_t t = data.stats.same_as(s); t != s) {  // identical statistics: reuse set t
                std::copy_n(weights_.begin() + int64_t{t} * classes_ * dim_, classes_ * dim_,
                            weights_.begin() + int64_t{s} * classes_ * dim_);
                std::copy_n(bias_.begin() + int64_t{t} * classes_, classes_, bias_.begin() + int64_t{s} * classes_);
                continue;
            }
            fit_set(data, s);
        }
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        predict_linear_rule(rows, n, dim_, sets_, classes_, weights_, bias_, predictions);
    }

    std::string note() const override { return notes_; }
    int64_t bytes_held() const override { return static_cast<int64_t>((weights_.size() + bias_.size()) * 8); }

private:
    void fit_set(const TrainingData& data, int32_t s) {
        const int64_t d = dim_;
        const std::string what = "lda probe (layer " + data.stats.layer() + ", " + data.label_sets.at(s) + " labels)";
        std::vector<int32_t> present;
        int64_t n = 0;
        for (int32_t c = 0; c < classes_; ++c)
            if (data.stats.count(s, c) > 0) present.push_back(c), n += data.stats.count(s, c);
        const int64_t K = static_cast<int64_t>(present.size());
        PROBENET_CHECK(n > K, what, ": ", n, " rows in ", K, " classes; LDA needs more rows than classes");
        // Means, priors, x̄ and the pooled within-class scatter W.
        std::vector<std::vector<double>> mean(static_cast<size_t>(K));
        std::vector<double> prior(static_cast<size_t>(K)), xbar(static_cast<size_t>(d), 0.0),
            w(static_cast<size_t>(d * d), 0.0);
        for (int64_t q = 0; q < K; ++q) {
            mean[q] = class_mean(data.stats, s, present[q]);
            prior[q] = static_cast<double>(data.stats.count(s, present[q])) / static_cast<double>(n);
            for (int64_t j = 0; j < d; ++j) xbar[j] += prior[q] * mean[q][j];
            const std::vector<double> scatter = centred_scatter(data.stats, s, present[q]);
            for (size_t t = 0; t < w.size(); ++t) w[t] += scatter[t];
        }
        // 1. Within-class whitening: eigenpairs of D⁻¹ W D⁻¹ / (n − K).
        std::vector<double> sigma(static_cast<size_t>(d));
        for (int64_t j = 0; j < d; ++j) {
            sigma[j] = std::sqrt(std::max(w[j * d + j], 0.0) / static_cast<double>(n));
            if (sigma[j] == 0.0) sigma[j] = 1.0;
        }
        const double fac = 1.0 / static_cast<double>(n - K);
        for (int64_t i = 0; i < d; ++i)
            for (int64_t j = 0; j < d; ++j) w[i * d + j] *= fac / (sigma[i] * sigma[j]);
        const std::vector<double> lambda = symmetric_eigen(w, d, what);  // ascending; w holds V
        std::vector<int64_t> kept;  // eigenvector indices with S = √λ > tol, largest first
        for (int64_t j = d - 1; j >= 0; --j)
            if (std::sqrt(std::max(lambda[j], 0.0)) > kTol) kept.push_back(j);
        const int64_t r = static_cast<int64_t>(kept.size());
        PROBENET_CHECK(r > 0, what, ": the within-class scatter is zero; LDA has nothing to fit");
        std::vector<double> t1(static_cast<size_t>(d * r));  // T (d, r) row-major
        for (int64_t q = 0; q < r; ++q) {
            const double* v = w.data() + kept[q] * d;
            const double inv_s = 1.0 / std::sqrt(lambda[kept[q]]);
            for (int64_t i = 0; i < d; ++i) t1[i * r + q] = v[i] / sigma[i] * inv_s;
        }
        // 2. Between-class directions: B (K, r), from the K×K problem B Bᵀ.
        const double fac2 = K == 1 ? 1.0 : 1.0 / static_cast<double>(K - 1);
        std::vector<double> centred(static_cast<size_t>(K * d)), b(static_cast<size_t>(K * r));
        for (int64_t q = 0; q < K; ++q)
            for (int64_t j = 0; j < d; ++j) centred[q * d + j] = mean[q][j] - xbar[j];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(K), static_cast<int>(r),
                    static_cast<int>(d), 1.0, centred.data(), static_cast<int>(d), t1.data(), static_cast<int>(r), 0.0,
                    b.data(), static_cast<int>(r));
        for (int64_t q = 0; q < K; ++q) {
            const double scale = std::sqrt(static_cast<double>(n) * prior[q] * fac2);
            for (int64_t j = 0; j < r; ++j) b[q * r + j] *= scale;
        }
        std::vector<double> bbt(static_cast<size_t>(K * K));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(K), static_cast<int>(K),
                    static_cast<int>(r), 1.0, b.data(), static_cast<int>(r), b.data(), static_cast<int>(r), 0.0,
                    bbt.data(), static_cast<int>(K));
        const std::vector<double> mu = symmetric_eigen(bbt, K, what);  // ascending; bbt holds U₂
        const double s_top = std::sqrt(std::max(mu[K - 1], 0.0));
        std::vector<int64_t> kept2;
        for (int64_t j = K - 1; j >= 0; --j)
            if (std::sqrt(std::max(mu[j], 0.0)) > kTol * s_top) kept2.push_back(j);
        const int64_t r2 = static_cast<int64_t>(kept2.size());
        // V₂ (r, r₂) = Bᵀ U₂ S₂⁻¹; T₂ = T V₂ (d, r₂).
        std::vector<double> v2(static_cast<size_t>(r * r2), 0.0), t2(static_cast<size_t>(d * r2));
        for (int64_t q = 0; q < r2; ++q) {
            const double* u = bbt.data() + kept2[q] * K;
            const double inv = 1.0 / std::sqrt(mu[kept2[q]]);
            for (int64_t j = 0; j < r; ++j) {
                double acc = 0.0;
                for (int64_t p = 0; p < K; ++p) acc += b[p * r + j] * u[p];
                v2[j * r2 + q] = acc * inv;
            }
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(d), static_cast<int>(r2),
                    static_cast<int>(r), 1.0, t1.data(), static_cast<int>(r), v2.data(), static_cast<int>(r2), 0.0,
                    t2.data(), static_cast<int>(r2));
        // 3. coef (K, r₂) = (μ − x̄) T₂; M = T₂ coefᵀ (d, K), stored per class as rows of weights_.
        std::vector<double> coef(static_cast<size_t>(K * r2));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(K), static_cast<int>(r2),
                    static_cast<int>(d), 1.0, centred.data(), static_cast<int>(d), t2.data(), static_cast<int>(r2),
                    0.0, coef.data(), static_cast<int>(r2));
        for (int64_t q = 0; q < K; ++q) {
            const int32_t c = present[q];
            double* m = weights_.data() + (int64_t{s} * classes_ + c) * d;
            double half_norm = 0.0, xbar_m = 0.0;
            for (int64_t p = 0; p < r2; ++p) half_norm += 0.5 * coef[q * r2 + p] * coef[q * r2 + p];
            for (int64_t i = 0; i < d; ++i) {
                double acc = 0.0;
                for (int64_t p = 0; p < r2; ++p) acc += t2[i * r2 + p] * coef[q * r2 + p];
                m[i] = acc;
                xbar_m += xbar[i] * acc;
            }
            bias_[static_cast<size_t>(int64_t{s} * classes_ + c)] = -xbar_m - half_norm + std::log(prior[q]);
        }
        if (r < d)
            notes_ += (notes_.empty() ? "" : "; ") + data.label_sets.at(s) + " labels: within-class scatter of rank " +
                      std::to_string(r) + " of " + std::to_string(d) + " (directions below tol 1e-4 dropped)";
    }

    int64_t dim_ = 0;
    int32_t classes_ = 0, sets_ = 0;
    std::vector<double> weights_;  // (S·K, d): column c of M for each set
    std::vector<double> bias_;     // S·K
    std::string notes_;
};

}  // namespace

std::unique_ptr<Probe> make_lda_probe(const ProbeOptions&) { return std::make_unique<LdaProbe>(); }

}  // namespace probenet::probe
