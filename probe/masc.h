// MASC, the Minimum Angle Subspace Classifier (paper Algorithm 1), and its accuracy tally.
//
// For a row x ∈ ℝᵈ and class subspaces with orthonormal bases U_c (d, k_c), the cosine of the angle
// between x and its projection U_cU_cᵀx is ‖U_cᵀx‖/‖x‖; MASC predicts argmax_c ‖U_cᵀx‖²/‖x‖² (the
// smallest angle), ties to the lowest class index. Rows are never centred; everything is float64 as
// in the authors' code (the float32 rows are widened exactly).
//
// One GEMM per block of rows scores every class of every subspace set at once: P = X·W (b, k_all) with
// W = [U_0 … U_{K−1}] of every set side by side, then per class the sum of squares of its columns
// (for a class stored by its complement U_c⊥, ‖x‖² minus that sum; see probe/pca.h). A class whose
// subspace is identical in an earlier set (all of them when the label sets agree, at p = 0) has its
// columns once. One GEMM rather than one per class, because X is then packed once; float64 rather
// than float32, because float32's rounding is larger than the gap between the top two scores of many
// rows (about a fifth of MNIST's test inputs) and would change predictions.
// The argmax compares these numerators ‖U_cᵀx‖² directly (the common divisor ‖x‖² cannot change
// their order, and dividing first could round two distinct numerators onto one value).
//
// All-zero rows (dead ReLU outputs) have no angle: 0/0 for every class. ZeroRowRule::LowestClass
// (the default) predicts class 0 for them — what the argmax over all-equal scores gives, and what the
// authors' numpy argmax over an all-NaN row returns — so accuracies match the authors'. With
// ZeroRowRule::NoPrediction they get kNoPrediction (−1), which matches no label. Either way they are
// counted (predict's return value, MascTally::zero_rows) so reports can say how many there were.
// A class with k = 0 (no training variance) scores 0 for every row.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "probe/pca.h"

namespace probenet::probe {

enum class ZeroRowRule { LowestClass, NoPrediction };
inline constexpr int32_t kNoPrediction = -1;

class Masc {
public:
    // Subspace sets of one layer (same dim and class count), e.g. {corrupted, true}; they are copied.
    explicit Masc(const std::vector<const LayerSubspaces*>& sets, ZeroRowRule rule = ZeroRowRule::LowestClass);
    explicit Masc(const LayerSubspaces& set, ZeroRowRule rule = ZeroRowRule::LowestClass)
        : Masc(std::vector<const LayerSubspaces*>{&set}, rule) {}

    int32_t num_sets() const { return num_sets_; }
    int32_t num_classes() const { return num_classes_; }
    int64_t dim() const { return dim_; }
    ZeroRowRule zero_row_rule() const { return rule_; }
    // Basis vectors held, k_all: the columns of the scoring GEMM (a repeated class subspace counts once).
    int64_t basis_rows() const;

    // rows (n, dim) row-major; predictions: one array of n per subspace set. Returns the number of
    // all-zero rows among the n.
    int64_t predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const;
    // scores (n, K) row-major for subspace set `set`: ‖U_cᵀx‖²/‖x‖² (0 for all-zero rows).
    void score(const float* rows, int64_t n, int32_t set, double* scores) const;

private:
    struct Scratch;
    // Scores rows [0, n) block by block; per_block(first_row, rows, num, norms) gets ‖U_cᵀx‖² as
    // num (rows, S·K) and ‖x‖² as norms (rows) for each block.
    template <typename PerBlock>
    void for_each_block(const float* rows, int64_t n, const PerBlock& per_block) const;
    int64_t rows_per_block() const;

    std::string layer_;
    int64_t dim_ = 0;
    int32_t num_sets_ = 0, num_classes_ = 0;
    ZeroRowRule rule_;
    std::vector<double> basis_;     // (k_all, d) row-major: the class bases, one after another
    std::vector<int64_t> begin_, end_;  // S·K: the (set, class) basis as rows [begin, end) of basis_
    std::vector<uint8_t> complement_;  // S·K: 1 where that class stores U_c⊥ (see ClassSubspace)
};

// Counts MASC predictions that agree with one or more label arrays, batch by batch.
class MascTally {
public:
    MascTally(const Masc& masc, int32_t num_label_arrays);  // keeps a reference: `masc` must outlive it
    MascTally(Masc&&, int32_t) = delete;

    // Predicts `rows` with every subspace set and compares with each label array (n labels each).
    void add(const float* rows, int64_t n, std::span<const int32_t* const> labels);

    int64_t rows() const { return rows_; }
    int64_t zero_rows() const { return zero_rows_; }
    int64_t correct(int32_t set, int32_t label_array) const;
    double accuracy(int32_t set, int32_t label_array) const;  // correct / rows

private:
    const Masc& masc_;
    int32_t num_labels_;
    std::vector<int64_t> correct_;  // [set * num_labels + label_array]
    std::vector<int32_t> predictions_;
    int64_t rows_ = 0, zero_rows_ = 0;
};

}  // namespace probenet::probe
