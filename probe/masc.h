// MASC, the Minimum Angle Subspace Classifier (paper Algorithm 1), and its accuracy tally.
//
// For a row x ∈ ℝᵈ and class subspaces with orthonormal bases U_c (d, k_c), the cosine of the angle
// between x and its projection U_cU_cᵀx is ‖U_cᵀx‖/‖x‖; MASC predicts argmax_c ‖U_cᵀx‖²/‖x‖² (the
// smallest angle), ties to the lowest class index. Rows are never centred. The predictions are those
// of the authors' float64 computation (below, "the float64 path"); the float32 rows are widened
// exactly.
//
// The float64 path (MascPrecision::Float64, and Masc::score always): one GEMM per block of rows scores
// every class of every subspace set at once: P = X·W (b, k_all) with W = [U_0 … U_{K−1}] of every set
// side by side, X the block widened to float64 (b, d), then per class the sum of squares of its
// columns (for a class stored by its complement U_c⊥, ‖x‖² minus that sum; see probe/pca.h). A class
// whose subspace is identical in an earlier set (all of them when the label sets agree, at p = 0) has
// its columns once. One GEMM rather than one per class, because X is then packed once. The argmax
// compares these numerators ‖U_cᵀx‖² directly (the common divisor ‖x‖² cannot change their order,
// and dividing first could round two distinct numerators onto one value).
//
// MascPrecision::Float32Certified (the default) gives the float64 path's predictions with its GEMM
// in float32, about twice as fast (probe/masc_certified.cpp). It works a span at a time: a whole
// number of the float64 path's blocks, up to 4096 rows (8192 on AMX, below), so that packing Ŵ (once
// per GEMM call) is amortised over many rows. Per span: the float32 GEMM P̂ = X·Ŵᵀ (b, k_all) on the
// float32 rows and Ŵ = fl32(W) (rounded to nearest, held beside W), then per row and class, from the
// p̂_j read as float64:
//   ŝ_c = Σ_j p̂_j² (or ‖x‖² − Σ_j p̂_j² for a complement class), A_c = Σ_j |p̂_j|,
// with ‖x‖² summed exactly as the float64 path sums it, and bounds W_c ≥ |ŝ_c − s_c| + |v_c − s_c|,
// s_c the exact score (of the stored float64 basis) and v_c what the float64 path computes. A row is
// certified when the argmax t of ŝ (ties to the lowest class) has, for every c ≠ t,
//   fl(ŝ_t − ŝ_c) > fl((W_t + W_c)·(1 + 2⁻²⁰)),
// which gives v_t > v_c for every c: the float64 path predicts t. The other rows are rescored in
// float64, but not by rerunning the float64 path on them alone: OpenBLAS's DGEMM rounds a row's
// products differently with the number of rows in the call (measured: a few of every 10⁴ elements
// differ in the last bit), so only a rerun of the very block would reproduce v bit for bit. Instead,
// in each set a row is not certified in, classes are scored in float64 (one DGEMM per class over the
// span's rows that need it), v''_c, and the interval (ŝ_c, W_c) becomes (v''_c, 2B_c): B_c ≥ |v − s|
// holds for any summation order, so |v_c − v''_c| ≤ 2B_c. Which classes: first the top class t
// alone, then its contenders on the new intervals — the classes c with ŝ_c + W_c ≥ v''_t − 2B_t, or
// the same test against a new top class. With t's interval shrunk, a class need only clear W_c
// rather than W_t + W_c; on the memorized MLP–MNIST at p = 0.8 this halves the float64 work (342 →
// 150 GMAC). The same certificate on these intervals again proves the float64 path's prediction; the rare row
// that still fails (a float64 tie within the float64 path's own rounding) has its block rerun by the
// float64 path itself, exactly as it would run it. So every prediction is the float64 path's.
//
// The bounds (ε = 2⁻²⁴, u = 2⁻⁵³, γ_n = nε/(1 − nε), γ = (d+1)u/(1 − (d+1)u) ≥ every float64 γ_n
// below, μ = 2⁻¹²⁶ and μ₆₄ = 2⁻¹⁰²² the smallest normal numbers). Rounding to nearest; FTZ/DAZ may be
// on (tensor/runtime.h), so every underflow may lose up to the smallest normal number. x is the row
// as the float64 path widens it (under DAZ, subnormal floats read as 0).
//   ‖x‖ ≤ X = √ss·(1 + γ), ss = fl(Σ x_i²): the squares of floats are exact in float64, and a sum of
//     n ≤ d+1 nonnegative terms errs by at most γ_n times the sum. Rows with X outside [2⁻⁶⁰, 2⁶⁰]
//     (or not finite) are never certified (no overflow below; every underflow is negligible).
//   N ≥ max_j ‖u_j‖₂ over the stored basis vectors (≈ 1), computed once: √fl(Σu_i²)·(1 + 2γ) + 2⁻⁵⁰⁰.
//   float32 projection, a = fl32(u_j): |a_i − u_i| ≤ ε|u_i| + 2⁻¹⁵⁰ (μ if flushed), and the float32
//     dot product in any order, FMA or not, errs by at most γ_d Σ|a_i x_i| (Higham, Thm 3.5) plus
//     underflow: < μ per operation (≤ 2d of them) and < μ·|other factor| per input read as 0, and
//     < μ when p̂_j is widened. With Σ|u_i x_i| ≤ ‖u_j‖‖x‖ and Σ|x_i| ≤ √d‖x‖:
//       |p̂_j − p_j| ≤ e = (ε + γ_d(1 + ε))·N·X + 4μd·X + 2μd·(N + 4).
//   float64 projection (any order): |p64_j − p_j| ≤ f = γ·N·X + 2⁻⁹⁶⁰·d (the underflows, μ₆₄·d·(X + 3),
//     are below 2⁻⁹⁶⁰·d for X ≤ 2⁶⁰).
//   A class with k stored vectors, δ = e + f: every q with |q_j − p̂_j| ≤ δ (p and p64 among them) has
//     Σq_j² ≤ M = Σ̂(1 + 2γ) + δ(2A + kδ), Σ̂ = fl(Σp̂_j²).
//   float32 scores:  |Σ̂ − Σp_j²| ≤ Σ|p̂_j − p_j|·|p̂_j + p_j| + |Σ̂ − Σp̂_j²| ≤ e(2A + ke) + 2γΣ̂
//     (the p̂_j² are exact in float64).
//   float64 path:    |fl(Σp64_j²) − Σp_j²| ≤ f(2(A + ke) + kf) + γM + 2kμ₆₄ =: B (Σ|p_j| ≤ A + ke).
//   complement class, both: + |ss − ‖x‖²| + u·|ss − Σ| ≤ 2γ·ss + u(ss + 2M).
//   W_c is the sum of the float32 and the float64 bound. Every bound is a sum and product of
//     nonnegative float64 numbers in at most 2d + 40 operations, so its computed value is at least
//     (1 − 2⁻³⁰) times its exact value (d ≤ 2²⁰; the underflows there are far below it), and the
//     factor (1 + 2⁻²⁰) covers that and the rounding of the tests themselves. Layers wider than 2²⁰
//     are scored by the float64 path.
// On CPUs with AMX-BF16 (tensor/cpu/amx_bf16x3_gemm.h), layers of width d ≥ 389 take p̂ from three
// bfloat16 products on AMX tiles instead of sgemm (MascGemm::Auto; MascGemm::Sgemm keeps sgemm): e is
// then that kernel's bound with Σ|u_i x_i| ≤ N·X,
//   e = (3.02·2⁻¹⁶ + 1.02·γ_acc)·N·X + 64μd·(X + N + 1).
// It does not grow with d as γ_d does: 0.58 of the float32 e at d = 2048, 1.5× it at 784, 3× at 389,
// 9× at 128. Where it is looser the kernel still pays: it runs at ~2.6× sgemm's rate, saving ~0.6 of
// the screening GEMM's time, while a row the looser bound adds to the rescored ones costs float64 work
// on just the classes still in contention, a few of the S·K groups' columns at about a fourth of the
// float32 rate. Measured on the memorized MLP–MNIST at p = 0.8 (screening plus rescoring, sgemm →
// AMX): input (784) 1.32 → 0.85 s with 56 → 70 % of rows rescored, FC(512) 0.61 → 0.26 s (4.2 →
// 9.5 %). Narrower layers keep sgemm: at 9× the bound, FC(128) of an MLP trained three epochs
// rescores 42 % of its rows instead of 7 %, and such a layer's screening is cheap anyway. The kernel
// hands over Σ_j p̂_j² and A_c = Σ_j |p̂_j| per class as it makes them (P̂ is never stored); everything
// after them is unchanged. With no P̂ to hold, an AMX span is 8192 rows: each rescoring DGEMM packs its
// class's basis once per span, and a longer span shares that among more rows (2432–3392 → 8192 rows
// at the two FC(2048) layers: their screening and rescoring together 9.6 → 8.0 s).
// γ_d is the worst case over summation orders, where the typical float32 error is nearer √d·ε:
// W ≈ 2dε·X·(A_t + A_c) with A up to √k·‖x‖. So wide layers whose class scores lie close together
// have many rows rescored: on the memorized MLP–MNIST at p = 0.8 with sgemm, 7.5 % of FC(2048)₁'s rows
// and 76 % of FC(2048)₂'s (its margin-to-bound ratios are mostly 0.1–1). Those rows rescore about a
// quarter of the classes, so such a layer still costs less than the float64 path.
//
// All-zero rows (dead ReLU outputs) have no angle: 0/0 for every class. ZeroRowRule::LowestClass
// (the default) predicts class 0 for them — what the argmax over all-equal scores gives, and what the
// authors' numpy argmax over an all-NaN row returns — so accuracies match the authors'. With
// ZeroRowRule::NoPrediction they get kNoPrediction (−1), which matches no label. Either way they are
// counted (MascCounts::zero_rows, MascTally::zero_rows) so reports can say how many there were.
// A class with k = 0 (no training variance) scores 0 for every row.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "probe/pca.h"
#include "tensor/cpu/amx_bf16x3_gemm.h"
#include "tensor/uninitialized_allocator.h"

namespace probenet::probe {

enum class ZeroRowRule { LowestClass, NoPrediction };
inline constexpr int32_t kNoPrediction = -1;

// The float32 pass's GEMM: Auto takes AMX tiles where the CPU and kernel allow them (see
// tensor/cpu/amx_bf16x3_gemm.h; PROBENET_NO_AMX=1 turns them off), else sgemm; Sgemm always takes sgemm.
enum class MascGemm { Auto, Sgemm };

enum class MascPrecision {
    Float64,           // every row through the float64 path
    Float32Certified,  // float32 scores where certified, the float64 path for the other rows (above)
};

// What one predict call met.
struct MascCounts {
    int64_t zero_rows = 0;  // all-zero rows
    int64_t rescored = 0;   // rows whose float32 scores were not certified: scored by the float64 path
    int64_t reblocked = 0;  // of those, rows whose original block the float64 path reran whole
};

class Masc {
public:
    // Subspace sets of one layer (same dim and class count), e.g. {corrupted, true}; they are copied.
    explicit Masc(const std::vector<const LayerSubspaces*>& sets, ZeroRowRule rule = ZeroRowRule::LowestClass,
                  MascPrecision precision = MascPrecision::Float32Certified, MascGemm gemm = MascGemm::Auto);
    explicit Masc(const LayerSubspaces& set, ZeroRowRule rule = ZeroRowRule::LowestClass,
                  MascPrecision precision = MascPrecision::Float32Certified, MascGemm gemm = MascGemm::Auto)
        : Masc(std::vector<const LayerSubspaces*>{&set}, rule, precision, gemm) {}
    ~Masc();

    int32_t num_sets() const { return num_sets_; }
    int32_t num_classes() const { return num_classes_; }
    int64_t dim() const { return dim_; }
    ZeroRowRule zero_row_rule() const { return rule_; }
    // Float64 when asked for, or for layers wider than 2²⁰.
    MascPrecision precision() const { return precision_; }
    // Basis vectors held, k_all: the columns of the scoring GEMM (a repeated class subspace counts once).
    int64_t basis_rows() const;
    int64_t bytes_held() const;  // the bases (float64, and float32 when certifying)
    // Rows per predict call for a float32 GEMM of full width: a span (below); 0 for the float64 path.
    int64_t rows_per_predict() const;
    // The float64 path's rows per block, and the float32 pass's rows per span (whole blocks of
    // `block` rows), for k_all basis vectors, with its GEMM on AMX tiles or not.
    static int64_t block_rows(int64_t k_all);
    static int64_t span_rows(int64_t k_all, int64_t block, bool amx);
    // Whether the float32 pass of a layer of width d runs its GEMM on AMX tiles (header; MascGemm::Auto),
    // and a line for the run's log saying which GEMM the float32 pass uses at which widths.
    static bool amx_for_width(int64_t d);
    static std::string screening_description();
    bool uses_amx() const { return amx_ != nullptr; }

    // rows (n, dim) row-major; predictions: one array of n per subspace set (the float64 path's).
    MascCounts predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const;
    // scores (n, K) row-major for subspace set `set`: ‖U_cᵀx‖²/‖x‖² (0 for all-zero rows), in float64.
    void score(const float* rows, int64_t n, int32_t set, double* scores) const;

private:
    int32_t zero_row_prediction() const { return rule_ == ZeroRowRule::LowestClass ? 0 : kNoPrediction; }
    struct Scratch;
    // Scores rows [0, n) block by block; per_block(first_row, rows, num, norms) gets ‖U_cᵀx‖² as
    // num (rows, S·K) and ‖x‖² as norms (rows) for each block.
    template <typename PerBlock>
    void for_each_block(const float* rows, int64_t n, const PerBlock& per_block) const;
    int64_t rows_per_block() const;
    // The float64 path: predictions of rows [0, n) and the number of all-zero rows.
    int64_t predict_float64(const float* rows, int64_t n, std::span<int32_t* const> predictions) const;
    // One row of the float32 pass: from its projections p̂ (k_all) and ss = fl(‖x‖²), per group g =
    // set·K + class the score ŝ_g, the bound W_g and the float64 path's own bound B_g (header).
    // From the row's p̂ (k_all), or, on the AMX path (p null), from its Σp̂² and Σ|p̂| per segment.
    void bound_row(const float* p, const double* squares, const double* abs_sums, double ss, double* s_hat,
                   double* w, double* b64) const;
    struct Block32;
    // The rows of the span x = rows [b0, b0 + b) that the float32 pass left uncertified, in float64
    // (header); the float64 path's blocks of `block` rows start at the span's first row.
    void rescore(const float* x, int64_t b0, int64_t b, int64_t block, Block32& s,
                 std::span<int32_t* const> predictions, MascCounts& counts) const;

    std::string layer_;
    int64_t dim_ = 0;
    int32_t num_sets_ = 0, num_classes_ = 0;
    ZeroRowRule rule_;
    MascPrecision precision_;
    std::vector<double, UninitializedAllocator<double>> basis_;  // (k_all, d) row-major: the class bases
    std::vector<float> basis32_;    // basis_ rounded to float32 (Float32Certified, sgemm only)
    std::unique_ptr<cpu::AmxBf16x3Weights> amx_;  // basis_ split for AMX (Float32Certified, AMX only)
    std::vector<int64_t> segment_starts_;  // AMX: the stored classes' column ranges [s_i, s_i+1) of basis_
    std::vector<int64_t> segment_of_;      // per group, its stored class's index: its segment on the AMX path
    double gamma_ = 0;              // γ: float64 rounding of sums of up to d + 1 terms (header)
    double e_per_x_ = 0, e_abs_ = 0, f_per_x_ = 0, f_abs_ = 0;  // e = e_per_x·X + e_abs, f likewise
    std::vector<int64_t> begin_, end_;  // S·K: the (set, class) basis as rows [begin, end) of basis_
    std::vector<uint8_t> complement_;  // S·K: 1 where that class stores U_c⊥ (see ClassSubspace)
    // The float32 pass's buffers, kept from one predict call to the next (a probe run calls it once per
    // batch, and a fresh block of k_all floats per row each time cost a zero-fill and new pages);
    // the mutex makes concurrent predict calls on one Masc take turns.
    mutable std::mutex block_mutex_;
    mutable std::unique_ptr<Block32> block_;
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
    int64_t rescored_rows() const { return rescored_; }  // MascCounts::rescored, summed
    int64_t correct(int32_t set, int32_t label_array) const;
    double accuracy(int32_t set, int32_t label_array) const;  // correct / rows

private:
    const Masc& masc_;
    int32_t num_labels_;
    std::vector<int64_t> correct_;  // [set * num_labels + label_array]
    std::vector<int32_t> predictions_;
    int64_t rows_ = 0, zero_rows_ = 0, rescored_ = 0;
};

}  // namespace probenet::probe
