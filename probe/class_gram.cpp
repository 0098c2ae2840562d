#include "probe/class_gram.h"

#include <cblas.h>

#include <algorithm>

#include "tensor/error.h"

namespace probenet::probe {

ClassGram::ClassGram(std::string layer, int64_t dim, int32_t num_classes, int32_t num_label_sets,
                     Options options)
    : layer_(std::move(layer)), dim_(dim), num_classes_(num_classes), num_sets_(num_label_sets), options_(options) {
    PROBENET_CHECK(dim_ >= 1 && num_classes_ >= 1 && num_sets_ >= 1, "ClassGram(layer ", layer_,
                   "): need dim >= 1, classes >= 1 and label sets >= 1, got dim ", dim_, ", ", num_classes_,
                   " classes, ", num_sets_, " label sets");
    if (options_.chunk_rows == 0)
        options_.chunk_rows = std::clamp<int64_t>((int64_t{1} << 25) / (dim_ * dim_), 256, 4096);
    PROBENET_CHECK(options_.chunk_rows >= 1 && options_.shared_chunk_rows >= 1, "ClassGram(layer ", layer_,
                   "): chunk_rows and shared_chunk_rows must be >= 1 (chunk_rows 0: automatic), got ",
                   options_.chunk_rows, " and ", options_.shared_chunk_rows);
    slots_.resize(static_cast<size_t>(num_sets_) * num_classes_);
    for (Slot& s : slots_) s.sum.assign(static_cast<size_t>(dim_), 0.0);
    shared_.resize(static_cast<size_t>(num_classes_));
    pair_agree_.assign(static_cast<size_t>(num_sets_) * num_sets_, 1);
}

const ClassGram::Slot& ClassGram::slot(int32_t set, int32_t c) const {
    PROBENET_CHECK(set >= 0 && set < num_sets_ && c >= 0 && c < num_classes_, "ClassGram(layer ", layer_,
                   "): label set ", set, ", class ", c, " out of range (", num_sets_, " sets, ", num_classes_,
                   " classes)");
    return slots_[static_cast<size_t>(set) * num_classes_ + c];
}

void ClassGram::add(const float* rows, int64_t n, std::span<const int32_t* const> labels) {
    PROBENET_CHECK(n >= 0 && (n == 0 || rows != nullptr), "ClassGram::add(layer ", layer_, "): ", n,
                   " rows of dim ", dim_, " with a null row pointer");
    PROBENET_CHECK(static_cast<int32_t>(labels.size()) == num_sets_, "ClassGram::add(layer ", layer_, "): got ",
                   labels.size(), " label arrays for ", num_sets_, " label sets; pass one per set");
    // Validate everything before touching any statistic, so a bad batch leaves the accumulator as it was.
    for (int32_t s = 0; s < num_sets_; ++s) {
        PROBENET_CHECK(n == 0 || labels[s] != nullptr, "ClassGram::add(layer ", layer_, "): label array ", s,
                       " is null");
        for (int64_t i = 0; i < n; ++i)
            PROBENET_CHECK(labels[s][i] >= 0 && labels[s][i] < num_classes_, "ClassGram::add(layer ", layer_,
                           "): label set ", s, ", row ", i, " has class ", labels[s][i], ", outside [0, ",
                           num_classes_, ")");
    }
    for (int32_t s = 1; s < num_sets_ && sets_agree_; ++s)
        sets_agree_ = std::equal(labels[s], labels[s] + n, labels[0]);
    for (int32_t s = 1; s < num_sets_; ++s)
        for (int32_t t = 0; t < s; ++t) {
            uint8_t& agree = pair_agree_[static_cast<size_t>(s) * num_sets_ + t];
            if (agree) agree = std::equal(labels[s], labels[s] + n, labels[t]);
        }
    const bool may_share = options_.share_agreeing && num_sets_ > 1;
    for (int64_t i = 0; i < n; ++i) {
        const float* x = rows + i * dim_;
        double ss = 0.0;  // in any order: the squares are exact in float64, so ss is 0 exactly for a zero row
#pragma omp simd reduction(+ : ss)
        for (int64_t j = 0; j < dim_; ++j) ss += static_cast<double>(x[j]) * x[j];
        ++rows_;
        if (ss == 0.0) ++zero_rows_;  // exact: a nonzero float squared in double never underflows
        if (!options_.grams) {  // moments only
            for (int32_t s = 0; s < num_sets_; ++s) {
                Slot& sl = slot(s, labels[s][i]);
                ++sl.count;
                sl.sum_squares += ss;
                add_to_sum(sl, x);
            }
            continue;
        }

        const int32_t c0 = labels[0][i];
        bool shared = may_share;
        for (int32_t s = 0; s < num_sets_ && shared; ++s) shared = labels[s][i] == c0 && has_gram(s, c0);
        if (shared) {
            for (int32_t s = 0; s < num_sets_; ++s) {
                Slot& sl = slot(s, c0);
                ++sl.count;
                sl.sum_squares += ss;
                add_to_sum(sl, x);
            }
            std::vector<float>& chunk = shared_[c0];
            if (chunk.capacity() == 0) chunk.reserve(static_cast<size_t>(options_.shared_chunk_rows * dim_));
            chunk.insert(chunk.end(), x, x + dim_);
            if (held(chunk) >= options_.shared_chunk_rows) fold_shared(c0);
            continue;
        }
        for (int32_t s = 0; s < num_sets_; ++s) {
            Slot& sl = slot(s, labels[s][i]);
            ++sl.count;
            sl.sum_squares += ss;
            add_to_sum(sl, x);
            // Room for all d rows at once (up to 64 MB): growing by doubling would copy them and map
            // fresh pages again each time (untouched capacity is not resident).
            if (sl.rows.capacity() == 0)
                sl.rows.reserve(static_cast<size_t>(std::min<int64_t>(dim_, (int64_t{1} << 24) / dim_) * dim_));
            sl.rows.insert(sl.rows.end(), x, x + dim_);
            // Small classes keep every row until they reach d of them; Gram classes fold per chunk.
            if (sl.gram.empty() ? sl.count >= dim_ : held(sl.rows) >= options_.chunk_rows) fold(sl);
        }
    }
}

void ClassGram::add_to_sum(Slot& s, const float* x) const {
    double* sum = s.sum.data();
    for (int64_t j = 0; j < dim_; ++j) sum[j] += x[j];
}

std::vector<double> ClassGram::full_gram(int32_t set, int32_t c) const {
    const Slot& s = slot(set, c);
    PROBENET_CHECK(options_.grams, "ClassGram::full_gram(layer ", layer_,
                   "): these statistics were gathered without Grams (Options::grams false)");
    const int64_t d = dim_;
    std::vector<double> g(static_cast<size_t>(d * d), 0.0);
    if (s.gram.empty()) {
        const int64_t m = held(s.rows);
        if (m > 0) {
            const std::vector<double> x(s.rows.begin(), s.rows.end());
            cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, static_cast<int>(d), static_cast<int>(m), 1.0,
                        x.data(), static_cast<int>(d), 0.0, g.data(), static_cast<int>(d));
        }
    } else {
        const double* lower = gram(set, c);
        for (int64_t j = 0; j < d; ++j) std::copy(lower + j * d + j, lower + (j + 1) * d, g.begin() + j * d + j);
    }
    for (int64_t j = 0; j < d; ++j)  // mirror the lower triangle (column-major) into the upper one
        for (int64_t i = j + 1; i < d; ++i) g[i * d + j] = g[j * d + i];
    return g;
}

void ClassGram::syrk_rows(const std::vector<float>& rows, double beta, double* gram) {
    const int64_t m = held(rows);
    widened_.assign(rows.begin(), rows.end());
    // rows (m, d) row-major is the column-major d×m matrix A = Xᵀ, so A·Aᵀ = XᵀX.
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, static_cast<int>(dim_), static_cast<int>(m), 1.0,
                widened_.data(), static_cast<int>(dim_), beta, gram, static_cast<int>(dim_));
}

void ClassGram::fold(Slot& s) {
    if (s.rows.empty()) return;
    if (s.gram.empty()) {
        const int64_t d = dim_;
        // Uninitialised: dsyrk with beta 0 writes the lower triangle, the only one ever read (the upper
        // one stays indeterminate; full_gram mirrors over it). Zeroing it first cost a memset of every
        // page on top of the page's first touch: 0.3 s of each FC(2048) layer's 7 s in pass 1.
        s.gram.resize(static_cast<size_t>(d * d));
        syrk_rows(s.rows, 0.0, s.gram.data());
        // The small-class rows are gone for good; keep only room for one chunk.
        std::vector<float>().swap(s.rows);
        s.rows.reserve(static_cast<size_t>(options_.chunk_rows * dim_));
        return;
    }
    syrk_rows(s.rows, 1.0, s.gram.data());
    s.rows.clear();
}

void ClassGram::fold_shared(int32_t c) {
    std::vector<float>& rows = shared_[c];
    if (rows.empty()) return;
    chunk_gram_.resize(static_cast<size_t>(dim_ * dim_));
    syrk_rows(rows, 0.0, chunk_gram_.data());
    rows.clear();
    const double* t = chunk_gram_.data();
    const int64_t d = dim_;
    for (int32_t s = 0; s < num_sets_; ++s) {
        double* g = slot(s, c).gram.data();
#pragma omp parallel for schedule(dynamic, 16) if (d >= 256)
        for (int64_t j = 0; j < d; ++j)
            for (int64_t i = j; i < d; ++i) g[j * d + i] += t[j * d + i];
    }
}

void ClassGram::flush() {
    for (Slot& s : slots_)
        if (!s.gram.empty()) fold(s);
    for (int32_t c = 0; c < num_classes_; ++c) fold_shared(c);
}

const double* ClassGram::gram(int32_t set, int32_t c) const {
    const Slot& s = slot(set, c);
    PROBENET_CHECK(options_.grams, "ClassGram::gram(layer ", layer_,
                   "): these statistics were gathered without Grams (Options::grams false)");
    PROBENET_CHECK(!s.gram.empty(), "ClassGram::gram(layer ", layer_, ", set ", set, ", class ", c, "): only ",
                   s.count, " rows (< dim ", dim_, "), so the class has no Gram; use raw_rows()");
    PROBENET_CHECK(s.rows.empty() && shared_[c].empty(), "ClassGram::gram(layer ", layer_, ", set ", set,
                   ", class ", c, "): rows are still pending; call flush() first");
    return s.gram.data();
}

const float* ClassGram::raw_rows(int32_t set, int32_t c) const {
    const Slot& s = slot(set, c);
    PROBENET_CHECK(options_.grams, "ClassGram::raw_rows(layer ", layer_,
                   "): these statistics were gathered without Grams or rows (Options::grams false)");
    PROBENET_CHECK(s.gram.empty(), "ClassGram::raw_rows(layer ", layer_, ", set ", set, ", class ", c, "): the ",
                   s.count, " rows were folded into the Gram when the class reached dim ", dim_,
                   "; use gram()");
    return s.rows.data();
}

int32_t ClassGram::same_as(int32_t s) const {
    PROBENET_CHECK(s >= 0 && s < num_sets_, "ClassGram::same_as(layer ", layer_, "): label set ", s, " out of range");
    for (int32_t t = 0; t < s; ++t)
        if (pair_agree_[static_cast<size_t>(s) * num_sets_ + t]) return t;
    return s;
}

int64_t ClassGram::raw_rows_held(int32_t set, int32_t c) const {
    return held(slot(set, c).rows) + held(shared_[c]);
}

int64_t ClassGram::raw_rows_held() const {
    int64_t total = 0;
    for (const Slot& s : slots_) total += held(s.rows);
    for (const auto& rows : shared_) total += held(rows);
    return total;
}

}  // namespace probenet::probe
