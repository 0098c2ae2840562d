#include "probe/class_moments.h"

#include <lapacke.h>

#include "tensor/error.h"

namespace probenet::probe {

std::vector<double> class_mean(const ClassGram& stats, int32_t set, int32_t c) {
    const int64_t d = stats.dim(), n = stats.count(set, c);
    std::vector<double> mean(static_cast<size_t>(d), 0.0);
    if (n == 0) return mean;
    const double* sum = stats.sum(set, c);
    for (int64_t j = 0; j < d; ++j) mean[j] = sum[j] / static_cast<double>(n);
    return mean;
}

std::vector<double> centred_scatter(const ClassGram& stats, int32_t set, int32_t c) {
    const int64_t d = stats.dim();
    const double n = static_cast<double>(stats.count(set, c));
    std::vector<double> s = stats.full_gram(set, c);
    const std::vector<double> mean = class_mean(stats, set, c);
    std::vector<double> raw_diagonal(static_cast<size_t>(d));
    for (int64_t j = 0; j < d; ++j) raw_diagonal[j] = s[j * d + j];
    for (int64_t i = 0; i < d; ++i)
        for (int64_t j = 0; j < d; ++j) s[i * d + j] -= n * mean[i] * mean[j];
    for (int64_t j = 0; j < d; ++j) {
        if (s[j * d + j] > kCancellation * raw_diagonal[j]) continue;
        for (int64_t i = 0; i < d; ++i) s[i * d + j] = s[j * d + i] = 0.0;
    }
    return s;
}

std::vector<double> symmetric_eigen(std::vector<double>& a, int64_t d, const std::string& what) {
    std::vector<double> w(static_cast<size_t>(d));
    const lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', static_cast<lapack_int>(d), a.data(),
                                           static_cast<lapack_int>(d), w.data());
    PROBENET_CHECK(info == 0, what, ": LAPACKE_dsyevd on a ", d, "×", d, " matrix failed with info ", info,
                   " (the layer's outputs may contain NaN or inf)");
    return w;
}

}  // namespace probenet::probe
