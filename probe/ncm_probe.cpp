// Nearest class mean with cosine similarity, from the streamed class sums alone.
//
// Fit, per label set s and class c with n_sc rows: μ_c = Σx / n_sc, stored L2-normalised as
// m_c = μ_c / ‖μ_c‖ (a class with no rows or a zero mean gets m_c = 0). Predict: argmax_c x·m_c, ties
// to the lowest class — the argmax of cos(x, μ_c), since dividing by ‖x‖ > 0 does not change it; an
// all-zero row scores 0 everywhere and gets class 0. Scored by probe/linear_rule.h.

#include <algorithm>
#include <cmath>

#include "probe/linear_rule.h"
#include "probe/probe.h"

namespace probenet::probe {

namespace {

class NcmProbe : public Probe {
public:
    bool needs_grams() const override { return false; }  // class sums only
    void fit(const TrainingData& data) override {
        dim_ = data.dim();
        classes_ = data.num_classes();
        sets_ = data.num_sets();
        means_.assign(static_cast<size_t>(sets_ * classes_ * dim_), 0.0);
        bias_.assign(static_cast<size_t>(sets_ * classes_), 0.0);
        for (int32_t s = 0; s < sets_; ++s)
            for (int32_t c = 0; c < classes_; ++c) {
                const int64_t n = data.stats.count(s, c);
                if (n == 0) continue;
                const double* sum = data.stats.sum(s, c);
                double* m = means_.data() + (int64_t{s} * classes_ + c) * dim_;
                double norm = 0.0;
                for (int64_t j = 0; j < dim_; ++j) norm += (sum[j] / n) * (sum[j] / n);
                norm = std::sqrt(norm);
                if (norm > 0.0)
                    for (int64_t j = 0; j < dim_; ++j) m[j] = (sum[j] / n) / norm;
            }
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        predict_linear_rule(rows, n, dim_, sets_, classes_, means_, bias_, predictions);
    }

    int64_t bytes_held() const override { return static_cast<int64_t>(means_.size() * sizeof(double)); }

private:
    int64_t dim_ = 0;
    int32_t classes_ = 0, sets_ = 0;
    std::vector<double> means_;  // (S·K, d): the normalised class means
    std::vector<double> bias_;   // S·K zeros
};

}  // namespace

std::unique_ptr<Probe> make_ncm_probe(const ProbeOptions&) { return std::make_unique<NcmProbe>(); }

}  // namespace probenet::probe
