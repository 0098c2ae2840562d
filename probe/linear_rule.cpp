#include "probe/linear_rule.h"

#include <cblas.h>

#include <algorithm>

namespace probenet::probe {

void predict_linear_rule(const float* rows, int64_t n, int64_t dim, int32_t sets, int32_t classes,
                         const std::vector<double>& weights, const std::vector<double>& bias,
                         std::span<int32_t* const> predictions) {
    const int64_t block = 1024, groups = int64_t{sets} * classes;
    std::vector<double> x, scores;
    for (int64_t b0 = 0; b0 < n; b0 += block) {
        const int64_t b = std::min(block, n - b0);
        x.assign(rows + b0 * dim, rows + (b0 + b) * dim);
        scores.resize(static_cast<size_t>(b * groups));
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(groups),
                    static_cast<int>(dim), 1.0, x.data(), static_cast<int>(dim), weights.data(), static_cast<int>(dim),
                    0.0, scores.data(), static_cast<int>(groups));
        for (int64_t i = 0; i < b; ++i)
            for (int32_t s = 0; s < sets; ++s) {
                const double* v = scores.data() + i * groups + int64_t{s} * classes;
                const double* bs = bias.data() + int64_t{s} * classes;
                int32_t best = 0;
                for (int32_t c = 1; c < classes; ++c)
                    if (v[c] + bs[c] > v[best] + bs[best]) best = c;  // strict: ties stay with the lower class
                predictions[s][b0 + i] = best;
            }
    }
}

}  // namespace probenet::probe
