// MASC (probe/masc.h): the class bases side by side and the bounds' constants (construction), the
// float64 path block by block, the float64 scores, and the tally. The float32 pass, certificate and
// rescoring are in probe/masc_certified.cpp.
#include "probe/masc.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "data/label_corruption.h"
#include "probe/masc_detail.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {
// Group g = set · K + class of the sets given to the constructor.
const ClassSubspace* subspace_of(const std::vector<const LayerSubspaces*>& sets, size_t g) {
    const size_t classes = sets[0]->classes.size();
    return &sets[g / classes]->classes[g % classes];
}
}  // namespace

using namespace masc_detail;

Masc::Masc(const std::vector<const LayerSubspaces*>& sets, ZeroRowRule rule, MascPrecision precision, MascGemm gemm)
    : rule_(rule), precision_(precision) {
    PROBENET_CHECK(!sets.empty() && sets[0] != nullptr, "Masc: need at least one subspace set");
    layer_ = sets[0]->layer;
    dim_ = sets[0]->dim;
    num_sets_ = static_cast<int32_t>(sets.size());
    num_classes_ = static_cast<int32_t>(sets[0]->classes.size());
    PROBENET_CHECK(dim_ >= 1 && num_classes_ >= 1, "Masc(layer ", layer_, "): subspaces of dim ", dim_, " with ",
                   num_classes_, " classes; fit them first");
    std::vector<size_t> stored;  // the groups whose basis is stored (the others reuse an earlier one)
    for (const LayerSubspaces* set : sets) {
        PROBENET_CHECK(set != nullptr && set->dim == dim_ &&
                           static_cast<int32_t>(set->classes.size()) == num_classes_,
                       "Masc(layer ", layer_, "): every subspace set must have dim ", dim_, " and ", num_classes_,
                       " classes");
        for (const ClassSubspace& c : set->classes) {
            const int64_t vectors = c.complement ? dim_ - c.k : c.k;
            PROBENET_CHECK(c.k >= 0 && c.k <= dim_ && static_cast<int64_t>(c.basis.size()) == vectors * dim_,
                           "Masc(layer ", layer_, "): a class basis holds ", c.basis.size(), " values, expected ",
                           c.complement ? "(d − k)·d = (" : "k·d = ", vectors, c.complement ? ")·" : "·", dim_,
                           " for k = ", c.k);
            complement_.push_back(c.complement);
            // The same class with the same subspace in an earlier set (every class when the label sets
            // agree, as at p = 0): score it once and read the result twice.
            const size_t g = begin_.size(), earlier = g % static_cast<size_t>(num_classes_);
            bool reused = false;
            for (size_t e = earlier; e < g && !reused; e += static_cast<size_t>(num_classes_)) {
                const ClassSubspace& o = *subspace_of(sets, e);
                if (o.k == c.k && o.complement == c.complement && o.basis == c.basis) {
                    begin_.push_back(begin_[e]);
                    end_.push_back(end_[e]);
                    segment_of_.push_back(segment_of_[e]);
                    reused = true;
                }
            }
            if (reused) continue;
            const int64_t first = stored.empty() ? 0 : end_[stored.back()];
            segment_of_.push_back(static_cast<int64_t>(stored.size()));
            stored.push_back(g);
            begin_.push_back(first);
            end_.push_back(first + vectors);
        }
    }
    // The classes' bases side by side, copied by all threads (the buffer is fresh: its first touch is
    // the copy's cost).
    basis_.resize(static_cast<size_t>((stored.empty() ? 0 : end_[stored.back()]) * dim_));
#pragma omp parallel for schedule(dynamic, 1) if (basis_.size() >= (size_t{1} << 20))
    for (size_t i = 0; i < stored.size(); ++i) {
        const std::vector<double>& b = subspace_of(sets, stored[i])->basis;
        std::copy(b.begin(), b.end(), basis_.begin() + begin_[stored[i]] * dim_);
    }
    if (dim_ > (int64_t{1} << 20)) precision_ = MascPrecision::Float64;  // the bounds assume d ≤ 2²⁰
    if (precision_ == MascPrecision::Float64) return;
    // The constants of the bounds (header): γ, N, and e and f as multiples of X plus a constant.
    const double d = static_cast<double>(dim_), eps = 0x1p-24, mu = 0x1p-126;
    const double gamma32 = d * eps / (1.0 - d * eps);
    gamma_ = (d + 1.0) * 0x1p-53 / (1.0 - (d + 1.0) * 0x1p-53);
    double norm = 0.0;  // N
#pragma omp parallel for schedule(static) reduction(max : norm) if (basis_.size() >= (size_t{1} << 20))
    for (int64_t j = 0; j < basis_rows(); ++j) {
        double ss = 0.0;
        for (int64_t i = 0; i < dim_; ++i) ss += basis_[j * dim_ + i] * basis_[j * dim_ + i];
        norm = std::max(norm, std::sqrt(ss));
    }
    norm = norm * (1.0 + 2.0 * gamma_) + 0x1p-500;
    if (gemm == MascGemm::Auto && amx_for_width(dim_)) {
        amx_ = std::make_unique<cpu::AmxBf16x3Weights>(basis_.data(), basis_rows(), dim_);
        // The stored classes' column ranges, in order, are the kernel's segments.
        segment_starts_.assign(1, 0);
        for (const size_t g : stored) segment_starts_.push_back(end_[g]);

        const cpu::AmxBf16x3Bound amx = cpu::amx_bf16x3_bound(dim_);
        e_per_x_ = amx.per_abs_dot * norm + amx.per_max_sum;
        e_abs_ = amx.per_max_sum * (norm + 1.0);
    } else {
        basis32_.assign(basis_.begin(), basis_.end());  // rounded to nearest
        e_per_x_ = (eps + gamma32 * (1.0 + eps)) * norm + 4.0 * mu * d;
        e_abs_ = 2.0 * mu * d * (norm + 4.0);
    }
    f_per_x_ = gamma_ * norm;
    f_abs_ = 0x1p-960 * d;
}

Masc::~Masc() = default;

bool Masc::amx_for_width(int64_t d) {
    if (!cpu::amx_bf16_usable()) return false;
    // Where the kernel's bound is at most 3× float32's (header): d ≥ 389.
    const double w = static_cast<double>(d), eps = 0x1p-24;
    return cpu::amx_bf16x3_bound(d).per_abs_dot <= 3.0 * (eps + w * eps / (1.0 - w * eps) * (1.0 + eps));
}

std::string Masc::screening_description() {
    if (!cpu::amx_bf16_usable()) return "MASC float32 pass: OpenBLAS sgemm (" + cpu::amx_bf16_status() + ")";
    int64_t from = 1;
    while (from < (int64_t{1} << 20) && !amx_for_width(from)) ++from;
    return "MASC float32 pass: AMX-BF16 tiles (3 bf16 products) on layers of width >= " + std::to_string(from) +
           ", OpenBLAS sgemm below (PROBENET_NO_AMX=1: sgemm everywhere)";
}

int64_t Masc::basis_rows() const { return static_cast<int64_t>(basis_.size()) / dim_; }

int64_t Masc::bytes_held() const {
    return static_cast<int64_t>(basis_.size() * sizeof(double) + basis32_.size() * sizeof(float)) +
           (amx_ ? amx_->bytes() : 0);
}

int64_t Masc::block_rows(int64_t k_all) {
    // Keep the (rows, k_all) projection block near 32 MB while each GEMM stays large.
    return std::clamp<int64_t>((int64_t{1} << 22) / std::max<int64_t>(k_all, 1), 64, 1024);
}

int64_t Masc::span_rows(int64_t k_all, int64_t block, bool amx) {
    // AMX: no P̂ is stored, so the span is long, for the rescoring DGEMMs' sake (header).
    if (amx) return block * std::max<int64_t>(8192 / block, 1);
    // Whole float64 blocks, up to 4096 rows and a (rows, k_all) float32 block of about 2²⁵ floats
    // (128 MB): the GEMM packs all of Ŵ once per call, so at k_all ≈ 10⁴ a span of ~400 rows spends
    // a quarter of its time packing (sgemm 290–320 GFLOP/s here) and one of 2048–4096 rows almost
    // none (390–410).
    const int64_t rows = std::clamp<int64_t>((int64_t{1} << 25) / std::max<int64_t>(k_all, 1), 64, 4096);
    return block * std::max<int64_t>(rows / block, 1);
}

int64_t Masc::rows_per_block() const { return block_rows(basis_rows()); }

int64_t Masc::rows_per_predict() const {
    return precision_ == MascPrecision::Float64 ? 0 : span_rows(basis_rows(), rows_per_block(), amx_ != nullptr);
}

// Buffers of one predict/score call, sized for one block and reused for every block (uninitialised:
// everything is written before it is read).
struct Masc::Scratch {
    Scratch(int64_t rows, int64_t dim, int64_t k_all, int64_t groups)
        : x(new double[static_cast<size_t>(rows * dim)]),
          p(new double[static_cast<size_t>(std::max<int64_t>(rows * k_all, 1))]),
          num(static_cast<size_t>(rows * groups)),
          norms(static_cast<size_t>(rows)) {}
    std::unique_ptr<double[]> x, p;  // the block widened to float64 (b, d); its projections (b, k_all)
    std::vector<double> num, norms;  // ‖U_cᵀx‖² (b, S·K) and ‖x‖² (b)
};

template <typename PerBlock>
void Masc::for_each_block(const float* rows, int64_t n, const PerBlock& per_block) const {
    const int64_t block = rows_per_block(), k_all = basis_rows(), groups = int64_t{num_sets_} * num_classes_;
    Scratch s(std::min(block, n), dim_, k_all, groups);
    for (int64_t b0 = 0; b0 < n; b0 += block) {
        const int64_t b = std::min(block, n - b0);
        double* x = s.x.get();
        double* p = s.p.get();
        std::copy(rows + b0 * dim_, rows + (b0 + b) * dim_, x);
        if (k_all > 0)  // P (b, k_all) = X (b, d) · basisᵀ
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(k_all),
                        static_cast<int>(dim_), 1.0, x, static_cast<int>(dim_), basis_.data(), static_cast<int>(dim_),
                        0.0, p, static_cast<int>(k_all));
#pragma omp parallel for schedule(static) if (b * (k_all + dim_) >= (int64_t{1} << 16))
        for (int64_t i = 0; i < b; ++i) {
            const double ss = squared_norm(x + i * dim_, dim_);
            s.norms[i] = ss;
            const double* pi = p + i * k_all;
            for (int64_t g = 0; g < groups; ++g) {
                double sum = 0.0;
                for (int64_t j = begin_[g]; j < end_[g]; ++j) sum += pi[j] * pi[j];
                s.num[i * groups + g] = complement_[g] ? ss - sum : sum;  // ‖U_cᵀx‖² = ‖x‖² − ‖U_c⊥ᵀx‖²
            }
        }
        per_block(b0, b, s.num.data(), s.norms.data());
    }
}

int64_t Masc::predict_float64(const float* rows, int64_t n, std::span<int32_t* const> predictions) const {
    const int64_t groups = int64_t{num_sets_} * num_classes_;
    int64_t zero_rows = 0;
    for_each_block(rows, n, [&](int64_t b0, int64_t b, const double* num, const double* norms) {
        for (int64_t i = 0; i < b; ++i) {
            const bool zero = norms[i] == 0.0;
            zero_rows += zero;
            for (int32_t s = 0; s < num_sets_; ++s)
                predictions[s][b0 + i] =
                    zero ? zero_row_prediction() : argmax(num + i * groups + int64_t{s} * num_classes_, num_classes_);
        }
    });
    return zero_rows;
}

void Masc::score(const float* rows, int64_t n, int32_t set, double* scores) const {
    PROBENET_CHECK(set >= 0 && set < num_sets_, "Masc::score(layer ", layer_, "): subspace set ", set,
                   " out of range [0, ", num_sets_, ")");
    PROBENET_CHECK(n >= 0 && (n == 0 || (rows != nullptr && scores != nullptr)), "Masc::score(layer ", layer_,
                   "): ", n, " rows with a null pointer");
    const int64_t groups = int64_t{num_sets_} * num_classes_;
    for_each_block(rows, n, [&](int64_t b0, int64_t b, const double* num, const double* norms) {
        for (int64_t i = 0; i < b; ++i)
            for (int32_t c = 0; c < num_classes_; ++c) {
                const double v = num[i * groups + int64_t{set} * num_classes_ + c];
                scores[(b0 + i) * num_classes_ + c] = norms[i] == 0.0 ? 0.0 : std::max(v, 0.0) / norms[i];
            }
    });
}

MascTally::MascTally(const Masc& masc, int32_t num_label_arrays) : masc_(masc), num_labels_(num_label_arrays) {
    PROBENET_CHECK(num_labels_ >= 1, "MascTally: need at least one label array, got ", num_labels_);
    correct_.assign(static_cast<size_t>(masc_.num_sets()) * num_labels_, 0);
}

void MascTally::add(const float* rows, int64_t n, std::span<const int32_t* const> labels) {
    PROBENET_CHECK(static_cast<int32_t>(labels.size()) == num_labels_, "MascTally::add: got ", labels.size(),
                   " label arrays, the tally was made for ", num_labels_);
    for (const int32_t* l : labels) PROBENET_CHECK(n == 0 || l != nullptr, "MascTally::add: a label array is null");
    const int32_t sets = masc_.num_sets();
    predictions_.resize(static_cast<size_t>(sets * n));
    std::vector<int32_t*> outs;
    for (int32_t s = 0; s < sets; ++s) outs.push_back(predictions_.data() + s * n);
    const MascCounts counts = masc_.predict(rows, n, outs);
    zero_rows_ += counts.zero_rows;
    rescored_ += counts.rescored;
    rows_ += n;
    for (int32_t s = 0; s < sets; ++s)
        for (int32_t l = 0; l < num_labels_; ++l) {
            correct_[static_cast<size_t>(s) * num_labels_ + l] +=
                data::count_equal(std::span<const int32_t>(outs[s], static_cast<size_t>(n)),
                                  std::span<const int32_t>(labels[l], static_cast<size_t>(n)));
        }
}

int64_t MascTally::correct(int32_t set, int32_t label_array) const {
    PROBENET_CHECK(set >= 0 && set < masc_.num_sets() && label_array >= 0 && label_array < num_labels_,
                   "MascTally: subspace set ", set, " / label array ", label_array, " out of range (",
                   masc_.num_sets(), " sets, ", num_labels_, " label arrays)");
    return correct_[static_cast<size_t>(set) * num_labels_ + label_array];
}

double MascTally::accuracy(int32_t set, int32_t label_array) const {
    PROBENET_CHECK(rows_ > 0, "MascTally::accuracy: no rows were added");
    return static_cast<double>(correct(set, label_array)) / static_cast<double>(rows_);
}

}  // namespace probenet::probe
