// The prediction step shared by the probes whose scores are linear in x (nearest class mean, LDA):
// for every row x and label set s, argmax_c (x·w_{s,c} + b_{s,c}), ties to the lowest class, with one
// float64 GEMM per block of rows: (b, d) · (d, S·K).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace probenet::probe {

// weights: (S·K, d) row-major, row s·K + c = w_{s,c}; bias: S·K values (−∞ for a class never predicted).
void predict_linear_rule(const float* rows, int64_t n, int64_t dim, int32_t sets, int32_t classes,
                         const std::vector<double>& weights, const std::vector<double>& bias,
                         std::span<int32_t* const> predictions);

}  // namespace probenet::probe
