// What relabelling the training set did, counted against the true labels (the paper's §3.3):
//   wrong      = |true ≠ corrupted|              labels the corruption made wrong
//   fixed      = |true ≠ corrupted ∧ relabel = true|   of those, the relabel set right
//   correct    = |true = corrupted|
//   broken     = |true = corrupted ∧ relabel ≠ corrupted|  of those, the relabel made wrong
//   fixed share = fixed / wrong, broken share = broken / correct (NaN when the denominator is 0)
//   share of correct labels: corrupted = correct / N, relabeled = |relabel = true| / N
#pragma once

#include <cstdint>
#include <vector>

namespace probenet::experiments {

struct RelabelStats {
    int64_t n = 0, wrong = 0, fixed = 0, correct = 0, broken = 0, relabeled_correct = 0;
    double fixed_share() const;
    double broken_share() const;
    double corrupted_correct_share() const;  // correct / n
    double relabeled_correct_share() const;  // relabeled_correct / n
};

// All three arrays of one length; throws otherwise.
RelabelStats relabel_stats(const std::vector<int32_t>& true_labels, const std::vector<int32_t>& corrupted,
                           const std::vector<int32_t>& relabel);

}  // namespace probenet::experiments
