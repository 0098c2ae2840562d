// ClassGram: one layer's per-class second moments, streamed, for one or more label sets at once.
//
// For a layer of dimension d, K classes and S label sets (S = 2 in a probe run: corrupted and true
// labels of the same training rows), every row x ∈ ℝᵈ of class c under label set s contributes
//   G[s][c] += x xᵀ (d×d, float64),  count[s][c] += 1,  sum[s][c] += x,  sum_squares[s][c] += ‖x‖²,
// and all-zero rows are counted once per layer. These are the sufficient statistics of the authors'
// uncentred PCA: stacking [X; −X] makes the covariance 2·XᵀX / (2n − 1) (see probe/pca.h). With the
// per-class sums they are also what the other streamed probes need (probe/probe.h): class means
// (nearest class mean), centred class covariances G/n − μμᵀ (QDA) and their pooled sum (LDA).
//
// Float64 all the way (dsyrk on rows widened from float32): k hinges on where cumsum(λ/Σλ) crosses the
// threshold, and that crossing can be as close as float32's rounding of a Gram.
//
// Memory does not grow with the number of samples once a class has d of them:
//   - while a (set, class) has fewer than d rows its raw rows are kept (as the float32 values they
//     arrived as; widening to float64 is exact, so nothing is lost) — a class that ends below d rows is
//     solved through the small n×n problem from these rows;
//   - the moment it reaches d rows they are folded into its Gram and dropped; after that new rows wait
//     in a pending chunk of at most `chunk_rows` rows and are folded by one dsyrk per chunk, so each
//     BLAS call is large whatever the caller's batch size.
// Bound on rows held: S·K·max(d − 1, chunk_rows) + K·shared_chunk_rows, independent of the sample count.
//
// Shared work: a row on which all label sets agree, for a class that is in Gram mode in every set,
// goes to one shared chunk per class; its Gram contribution is computed once (dsyrk into a scratch)
// and added to every set, saving the syrk work of the rows the label sets agree on (a fraction
// ≈ 1 − p + p/K of them). Adding the d×d scratch is memory-bound, so shared chunks are larger.
//
// Layout: G[s][c] is the lower triangle of a column-major d×d matrix (equivalently the upper triangle of
// a row-major one); the other triangle is not maintained. Rows are row-major (n, d) float32.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tensor/uninitialized_allocator.h"

namespace probenet::probe {

class ClassGram {
public:
    struct Options {
        // Rows per dsyrk once a class is in Gram mode; 0 = automatic: 256, or more for narrow layers
        // (up to 4096 at d ≤ 90) so that each call has ≥ 2²⁵ multiply-adds — small BLAS calls cost more
        // in thread hand-offs than in arithmetic.
        int64_t chunk_rows = 0;
        bool share_agreeing = true;        // one syrk for rows all label sets agree on
        int64_t shared_chunk_rows = 1024;  // rows per shared dsyrk (its d×d scratch is added to every set)
        // false: counts, sums and Σ‖x‖² only — no Gram, no rows held — for probes that need only class
        // means (nearest class mean, majority) or keep their own rows (k-NN, linear).
        bool grams = true;
    };

    ClassGram(std::string layer, int64_t dim, int32_t num_classes, int32_t num_label_sets = 1)
        : ClassGram(std::move(layer), dim, num_classes, num_label_sets, Options{}) {}
    ClassGram(std::string layer, int64_t dim, int32_t num_classes, int32_t num_label_sets, Options options);

    // rows: (n, dim) row-major; labels: one array of n class indices in [0, K) per label set.
    void add(const float* rows, int64_t n, std::span<const int32_t* const> labels);
    // The single-label-set form.
    void add(const float* rows, int64_t n, const int32_t* labels) { add(rows, n, std::span(&labels, 1)); }

    // Folds every pending chunk of Gram-mode classes into their Grams (fit_subspaces calls it).
    void flush();

    const std::string& layer() const { return layer_; }
    int64_t dim() const { return dim_; }
    int32_t num_classes() const { return num_classes_; }
    int32_t num_label_sets() const { return num_sets_; }
    int64_t chunk_rows() const { return options_.chunk_rows; }  // as resolved (never 0)
    int64_t rows() const { return rows_; }                       // rows added (each once, whatever S)
    int64_t zero_rows() const { return zero_rows_; }  // all-zero rows among them
    // True while every row added had the same class in every label set (p = 0): the sets' statistics
    // are then identical, and fit_subspaces fits one of them.
    bool label_sets_agree() const { return sets_agree_; }
    // The first label set t ≤ s that gave every row added so far the same class as set s: t < s means
    // set s's statistics are identical to set t's (e.g. "corrupted" and "true" at p = 0 beside a
    // --probe-corrupt set), and a probe may fit set t once and reuse it.
    int32_t same_as(int32_t s) const;

    int64_t count(int32_t set, int32_t c) const { return slot(set, c).count; }
    double sum_squares(int32_t set, int32_t c) const { return slot(set, c).sum_squares; }  // Σ‖x‖² = tr G
    const double* sum(int32_t set, int32_t c) const { return slot(set, c).sum.data(); }   // Σx (d), float64
    // XᵀX of the class as a full symmetric d×d matrix (both triangles), whichever form the class is
    // held in (Gram or raw rows); requires no pending rows (call flush()).
    std::vector<double> full_gram(int32_t set, int32_t c) const;
    // True once the class has reached d rows: its statistics live in the Gram from then on.
    bool has_gram(int32_t set, int32_t c) const { return !slot(set, c).gram.empty(); }
    bool keeps_grams() const { return options_.grams; }  // Options::grams
    // The Gram (lower triangle, column-major d×d); requires has_gram and no pending rows (call flush()).
    const double* gram(int32_t set, int32_t c) const;
    // The class's rows (count × d, row-major float32); requires !has_gram.
    const float* raw_rows(int32_t set, int32_t c) const;

    // Rows currently held as rows (small classes, pending and shared chunks), in all sets.
    int64_t raw_rows_held() const;
    int64_t raw_rows_held(int32_t set, int32_t c) const;

private:
    struct Slot {
        int64_t count = 0;
        double sum_squares = 0.0;
        std::vector<double> sum;   // Σx, d values
        std::vector<float> rows;   // pending or small-class rows, row-major
        std::vector<double, UninitializedAllocator<double>> gram;  // dim*dim, empty until count >= dim
    };
    const Slot& slot(int32_t set, int32_t c) const;
    Slot& slot(int32_t set, int32_t c) { return slots_[static_cast<size_t>(set) * num_classes_ + c]; }
    int64_t held(const std::vector<float>& rows) const { return static_cast<int64_t>(rows.size()) / dim_; }
    // G += Σ rowsᵀrows over `rows` (beta = 1) or G = … (beta = 0), in float64.
    void syrk_rows(const std::vector<float>& rows, double beta, double* gram);
    void fold(Slot& s);
    void add_to_sum(Slot& s, const float* x) const;
    void fold_shared(int32_t c);

    std::string layer_;
    int64_t dim_;
    int32_t num_classes_, num_sets_;
    Options options_;
    std::vector<Slot> slots_;                 // [set * K + class]
    std::vector<std::vector<float>> shared_;  // [class]: rows every set labels with this class
    std::vector<double> widened_;             // scratch: a chunk widened to float64
    std::vector<double> chunk_gram_;          // scratch: the Gram of one shared chunk
    int64_t rows_ = 0, zero_rows_ = 0;
    bool sets_agree_ = true;
    std::vector<uint8_t> pair_agree_;  // [s * S + t] for t < s: sets s and t agreed on every row
};

}  // namespace probenet::probe
