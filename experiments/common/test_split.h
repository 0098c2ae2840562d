// The seeded 80/20 split of the clean test set that retraining (experiments/common/retrain.h) uses:
// the 20 % "selection" part picks the best layer and early-stops fine-tuning, the 80 % "evaluation"
// part reports accuracy.
//
// probenet's own rule (the authors' scikit-learn train_test_split(random_state=2345) cannot be
// reproduced bit for bit): perm = numpy's legacy np.random.seed(2345); np.random.permutation(N)
// (data/batches.h numpy_permutation); the FIRST round(0.2·N) indices of perm form the selection
// part, the rest the evaluation part; each part is then sorted into file order. In numpy:
//   perm = np.random.RandomState(2345).permutation(N); k = round(0.2 * N)
//   selection, evaluation = np.sort(perm[:k]), np.sort(perm[k:])
// For MNIST's 10000 test samples: 2000 selection, 8000 evaluation.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "data/dataset.h"

namespace probenet::experiments {

inline constexpr uint32_t kTestSplitSeed = 2345;
inline constexpr double kSelectionFraction = 0.2;

struct TestSplit {
    std::vector<int64_t> evaluation, selection;  // test indices, each sorted ascending; disjoint; together 0..N−1
};

TestSplit split_test_indices(int64_t n, uint32_t seed = kTestSplitSeed, double selection_fraction = kSelectionFraction);

// The samples at `indices` of `d` (in that order) as a dataset of their own (pixels copied), named
// d.name + suffix.
data::Dataset subset(const data::Dataset& d, std::span<const int64_t> indices, const std::string& suffix);

}  // namespace probenet::experiments
