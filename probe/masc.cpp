#include "probe/masc.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "data/label_corruption.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {
// Group g = set · K + class of the sets given to the constructor.
const ClassSubspace* subspace_of(const std::vector<const LayerSubspaces*>& sets, size_t g) {
    const size_t classes = sets[0]->classes.size();
    return &sets[g / classes]->classes[g % classes];
}

// The highest of v[0, K), ties to the lowest index.
int32_t argmax(const double* v, int32_t classes) {
    int32_t best = 0;
    for (int32_t c = 1; c < classes; ++c)
        if (v[c] > v[best]) best = c;  // strict: ties stay with the lower class
    return best;
}

// Whether v[t] − v[c] > (w[t] + w[c])·(1 + 2⁻²⁰) for every c ≠ t (false on NaN): the certificate
// of the header for scores v ± w, the slack covering the rounding of the bounds and of this test.
bool certified(const double* v, const double* w, int32_t t, int32_t classes) {
    for (int32_t c = 0; c < classes; ++c)
        if (c != t && !(v[t] - v[c] > (w[t] + w[c]) * (1.0 + 0x1p-20))) return false;
    return true;
}

// fl(‖x‖²) of a float32 row, summed in float64 in order: the one sum both paths use, so that they see
// the same value bit for bit.
template <typename T>
double squared_norm(const T* x, int64_t d) {
    double ss = 0.0;
    for (int64_t j = 0; j < d; ++j) ss += double(x[j]) * double(x[j]);
    return ss;
}

// squared_norm of rows [0, n) of x (n, d) into ss, four rows at a time: each row's sum keeps its
// order, but four chains of dependent adds run side by side instead of one (the float32 pass spent
// ~4 cycles per element waiting on the previous add).
void squared_norms(const float* x, int64_t n, int64_t d, double* ss) {
#pragma omp parallel for schedule(static) if (n * d >= (int64_t{1} << 16))
    for (int64_t i0 = 0; i0 < n; i0 += 4) {
        if (i0 + 4 > n) {
            for (int64_t i = i0; i < n; ++i) ss[i] = squared_norm(x + i * d, d);
            continue;
        }
        const float *x0 = x + i0 * d, *x1 = x0 + d, *x2 = x1 + d, *x3 = x2 + d;
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (int64_t j = 0; j < d; ++j) {
            s0 += double(x0[j]) * double(x0[j]);
            s1 += double(x1[j]) * double(x1[j]);
            s2 += double(x2[j]) * double(x2[j]);
            s3 += double(x3[j]) * double(x3[j]);
        }
        ss[i0] = s0;
        ss[i0 + 1] = s1;
        ss[i0 + 2] = s2;
        ss[i0 + 3] = s3;
    }
}

// Whether the bounds hold for a row with ss = fl(‖x‖²): X in [2⁻⁶⁰, 2⁶⁰] (false for inf and NaN).
bool bounded(double ss) { return ss >= 0x1p-120 && ss <= 0x1p120; }
}  // namespace

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

Masc::~Masc() = default;  // here, where Block32 is complete

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

void Masc::bound_row(const float* p, const double* squares, const double* abs_sums, double ss, double* s_hat,
                     double* w, double* b64) const {
    const double x = std::sqrt(ss) * (1.0 + gamma_);  // X ≥ ‖x‖
    const double e = e_per_x_ * x + e_abs_, f = f_per_x_ * x + f_abs_, delta = e + f;
    for (size_t g = 0; g < begin_.size(); ++g) {
        double sum = 0.0, abs = 0.0;  // Σ̂ and A, in any order (the bounds hold for every order)
        if (p) {
#pragma omp simd reduction(+ : sum, abs)
            for (int64_t j = begin_[g]; j < end_[g]; ++j) {
                const double v = p[j];
                sum += v * v;
                abs += std::fabs(v);
            }
        } else {  // summed already, per segment, by the AMX kernel
            sum = squares[segment_of_[g]];
            abs = abs_sums[segment_of_[g]];
        }
        const double k = static_cast<double>(end_[g] - begin_[g]);
        const double m = sum * (1.0 + 2.0 * gamma_) + delta * (2.0 * abs + k * delta);
        double bound32 = e * (2.0 * abs + k * e) + 2.0 * gamma_ * sum;
        double bound64 = f * (2.0 * (abs + k * e) + k * f) + gamma_ * m + 2.0 * k * 0x1p-1022;
        if (complement_[g]) {
            const double c = 2.0 * gamma_ * ss + 0x1p-53 * (ss + 2.0 * m);
            bound32 += c;
            bound64 += c;
        }
        s_hat[g] = complement_[g] ? ss - sum : sum;
        w[g] = bound32 + bound64;
        b64[g] = bound64;
    }
}

// The float32 pass's results for one block of rows, and the buffers of its float64 rescoring.
struct Masc::Block32 {
    // Room for `rows` rows; the buffers only grow, so a later call of the same size allocates nothing.
    void hold(int64_t rows, int64_t k_all, int64_t groups) {
        const auto at_least = [](auto& v, int64_t n) {
            if (v.size() < static_cast<size_t>(n)) v.resize(static_cast<size_t>(n));
        };
        at_least(p, std::max<int64_t>(rows * k_all, 1));
        at_least(s_hat, rows * groups);
        at_least(w, rows * groups);
        at_least(b64, rows * groups);
        at_least(norms, rows);
        at_least(sure, rows);
    }
    void hold_segments(int64_t rows, int64_t segments) {
        if (sq.size() < static_cast<size_t>(rows * segments)) sq.resize(static_cast<size_t>(rows * segments));
        if (ab.size() < sq.size()) ab.resize(sq.size());
    }
    std::vector<float> p;                  // P̂ (b, k_all)
    std::vector<double> s_hat, w, b64;     // ŝ, W and B per (row, group) (b, S·K)
    std::vector<double> norms;             // ss = fl(‖x‖²) per row
    std::vector<uint8_t> sure;             // certified (or all-zero) rows
    std::vector<std::vector<double>> x64, p64;  // per thread: a group's rows widened (m, d), projections (m, k)
    cpu::AmxTiles split;                   // the span split for the AMX kernel
    std::vector<double> sq, ab, partials;  // AMX: Σp̂² and Σ|p̂| per (row, segment), the threads' shares
};

MascCounts Masc::predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const {
    PROBENET_CHECK(n >= 0 && (n == 0 || rows != nullptr), "Masc::predict(layer ", layer_, "): ", n,
                   " rows with a null pointer");
    PROBENET_CHECK(static_cast<int32_t>(predictions.size()) == num_sets_, "Masc::predict(layer ", layer_, "): got ",
                   predictions.size(), " prediction arrays for ", num_sets_, " subspace sets");
    MascCounts counts;
    if (precision_ == MascPrecision::Float64) {
        counts.zero_rows = predict_float64(rows, n, predictions);
        return counts;
    }
    if (n == 0) return counts;
    // The float64 path's blocks, so that a block it must rerun (header) is one it would have run; the
    // float32 pass takes whole blocks a span at a time.
    const int64_t block = std::min(rows_per_block(), n);
    const int64_t span = std::min(span_rows(basis_rows(), block, amx_ != nullptr), n);
    const int64_t k_all = basis_rows(), groups = int64_t{num_sets_} * num_classes_;
    const int32_t K = num_classes_;
    const std::lock_guard<std::mutex> lock(block_mutex_);
    if (!block_) block_ = std::make_unique<Block32>();
    Block32& s = *block_;
    s.hold(span, amx_ ? 0 : k_all, groups);
    for (int64_t b0 = 0; b0 < n; b0 += span) {
        const int64_t b = std::min(span, n - b0);
        const float* x = rows + b0 * dim_;
        const int64_t segments = static_cast<int64_t>(segment_starts_.size()) - 1;
        if (k_all > 0 && amx_) {  // Σ_j p̂_j² and Σ_j |p̂_j| per class from three bf16 products, P̂ never stored
            s.hold_segments(b, segments);
            cpu::amx_bf16x3_segment_sums(x, b, *amx_, segment_starts_, s.sq.data(), s.ab.data(), s.split, s.partials);
        } else if (k_all > 0)  // P̂ (b, k_all) = X (b, d) · Ŵᵀ in float32
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(k_all),
                        static_cast<int>(dim_), 1.0f, x, static_cast<int>(dim_), basis32_.data(), static_cast<int>(dim_),
                        0.0f, s.p.data(), static_cast<int>(k_all));
        squared_norms(x, b, dim_, s.norms.data());  // as the float64 path sums them
        int64_t zero_rows = 0;
#pragma omp parallel for schedule(static) reduction(+ : zero_rows) if (b * (k_all + dim_) >= (int64_t{1} << 16))
        for (int64_t i = 0; i < b; ++i) {
            const double ss = s.norms[i];
            double* v = &s.s_hat[i * groups];
            double* w = &s.w[i * groups];
            if (ss == 0.0) {
                ++zero_rows;
                s.sure[i] = 1;
                for (int32_t set = 0; set < num_sets_; ++set)
                    predictions[set][b0 + i] = zero_row_prediction();
                continue;
            }
            s.sure[i] = bounded(ss);
            if (!s.sure[i]) continue;
            if (amx_)
                bound_row(nullptr, &s.sq[i * segments], &s.ab[i * segments], ss, v, w, &s.b64[i * groups]);
            else
                bound_row(&s.p[i * k_all], nullptr, nullptr, ss, v, w, &s.b64[i * groups]);
            for (int32_t set = 0; set < num_sets_ && s.sure[i]; ++set) {
                const int32_t t = argmax(v + set * K, K);
                s.sure[i] = certified(v + set * K, w + set * K, t, K);
                predictions[set][b0 + i] = t;  // final where certified in every set; rescore overwrites the others
            }
        }
        counts.zero_rows += zero_rows;
        rescore(x, b0, b, block, s, predictions, counts);
    }
    return counts;
}

void Masc::rescore(const float* x, int64_t b0, int64_t b, int64_t block, Block32& s,
                   std::span<int32_t* const> predictions, MascCounts& counts) const {
    const int64_t groups = int64_t{num_sets_} * num_classes_;
    const int32_t K = num_classes_;
    std::vector<int64_t> todo;  // the uncertified rows
    for (int64_t i = 0; i < b; ++i)
        if (!s.sure[i]) todo.push_back(i);
    if (todo.empty()) return;
    counts.rescored += static_cast<int64_t>(todo.size());

    // Each marked (row, group)'s score in float64 (any summation order: |v'' − s| ≤ B), one GEMM per
    // group over the rows that need it; it replaces (ŝ, W) by (v'', 2B), an interval holding the
    // float64 path's score v, since |v − v''| ≤ 2B.
    std::vector<uint8_t> need(todo.size() * static_cast<size_t>(groups), 0), done(need.size(), 0);
    // The groups run side by side, one DGEMM per thread (OpenBLAS single-threaded inside the loop):
    // each call has only the span's uncertified rows of one class (~85 at the memorized MLP's
    // FC(2048)), where a 2-thread DGEMM reaches 126 GFLOP/s here and two 1-thread ones 140.
    const int threads = omp_get_max_threads();
    if (s.x64.size() < static_cast<size_t>(threads)) s.x64.resize(static_cast<size_t>(threads));
    if (s.p64.size() < static_cast<size_t>(threads)) s.p64.resize(static_cast<size_t>(threads));
    std::vector<std::vector<int64_t>> at(static_cast<size_t>(groups));  // per group, indices into todo
    const auto rescore_needed = [&] {
        int64_t most_x = 0, most_p = 0;
        for (int64_t g = 0; g < groups; ++g) {
            at[g].clear();
            for (size_t a = 0; a < todo.size(); ++a)
                if (need[a * groups + g]) at[g].push_back(static_cast<int64_t>(a));
            const int64_t m = static_cast<int64_t>(at[g].size());
            most_x = std::max(most_x, m * dim_);
            most_p = std::max(most_p, m * (end_[g] - begin_[g]));
        }
        for (int t = 0; t < threads; ++t) {  // sized here, so the loop below allocates nothing
            if (s.x64[t].size() < static_cast<size_t>(most_x)) s.x64[t].resize(static_cast<size_t>(most_x));
            if (s.p64[t].size() < static_cast<size_t>(most_p)) s.p64[t].resize(static_cast<size_t>(most_p));
        }
#pragma omp parallel for schedule(dynamic, 1) if (most_x >= (int64_t{1} << 14))
        for (int64_t g = 0; g < groups; ++g) {
            const int64_t m = static_cast<int64_t>(at[g].size()), k = end_[g] - begin_[g];
            if (m == 0) continue;
            double* x64 = s.x64[omp_get_thread_num()].data();
            double* p64 = s.p64[omp_get_thread_num()].data();
            for (int64_t r = 0; r < m; ++r)
                std::copy(x + todo[at[g][r]] * dim_, x + (todo[at[g][r]] + 1) * dim_, x64 + r * dim_);
            if (k > 0)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(k),
                            static_cast<int>(dim_), 1.0, x64, static_cast<int>(dim_), basis_.data() + begin_[g] * dim_,
                            static_cast<int>(dim_), 0.0, p64, static_cast<int>(k));
            for (int64_t r = 0; r < m; ++r) {  // distinct (row, group) entries per g: no two threads meet
                const int64_t i = todo[at[g][r]];
                double sum = 0.0;
                for (int64_t j = 0; j < k; ++j) sum += p64[r * k + j] * p64[r * k + j];
                s.s_hat[i * groups + g] = complement_[g] ? s.norms[i] - sum : sum;
                s.w[i * groups + g] = 2.0 * s.b64[i * groups + g];
                need[at[g][r] * groups + g] = 0;
                done[at[g][r] * groups + g] = 1;
            }
        }
    };
    // Two rounds. First the top class t of each set a row is not certified in: with its interval
    // shrunk to 2B, a class c whose float32 interval stays below it (ŝ_c + W_c < v''_t − 2B_t) needs
    // no float64 score, which halves the margin c must clear. Then the contenders that remain: the
    // classes whose interval still reaches the (new) top class's. Rows without bounds (X out of
    // range) get none and fail below.
    for (int round = 0; round < 2; ++round) {
        for (size_t a = 0; a < todo.size(); ++a) {
            const int64_t i = todo[a];
            if (!bounded(s.norms[i])) continue;
            for (int32_t set = 0; set < num_sets_; ++set) {
                const double* v = &s.s_hat[i * groups + set * K];
                const double* w = &s.w[i * groups + set * K];
                const int32_t t = argmax(v, K);
                if (certified(v, w, t, K)) continue;
                const size_t g0 = a * groups + static_cast<size_t>(set) * K;
                if (round == 0) {
                    need[g0 + t] = 1;
                    continue;
                }
                for (int32_t c = 0; c < K; ++c) need[g0 + c] = !done[g0 + c] && v[c] + w[c] >= v[t] - w[t];
            }
        }
        rescore_needed();
    }
    // Certified on the new intervals: the float64 path on the original block predicts the same. Else
    // that block (the float64 path's blocks start every `block` rows from the span's first) is rerun
    // by the float64 path itself.
    std::vector<int64_t> rerun;
    for (size_t a = 0; a < todo.size(); ++a) {
        const int64_t i = todo[a];
        bool sure = bounded(s.norms[i]);
        for (int32_t set = 0; set < num_sets_ && sure; ++set) {
            const double* v = &s.s_hat[i * groups + set * K];
            const int32_t t = argmax(v, K);
            sure = certified(v, &s.w[i * groups + set * K], t, K);
            predictions[set][b0 + i] = t;
        }
        if (!sure) rerun.push_back(i);
    }
    if (rerun.empty()) return;
    counts.reblocked += static_cast<int64_t>(rerun.size());
    std::vector<int32_t> all;
    std::vector<int32_t*> outs(static_cast<size_t>(num_sets_));
    int64_t first = -1, rows = 0;  // the block last rerun: rows [first, first + rows) of the span
    for (const int64_t i : rerun) {  // ascending, so each block is rerun once
        if (i >= first + rows) {
            first = i / block * block;
            rows = std::min(block, b - first);
            all.resize(static_cast<size_t>(num_sets_ * rows));
            for (int32_t set = 0; set < num_sets_; ++set) outs[set] = all.data() + set * rows;
            predict_float64(x + first * dim_, rows, outs);
        }
        for (int32_t set = 0; set < num_sets_; ++set) predictions[set][b0 + i] = outs[set][i - first];
    }
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
