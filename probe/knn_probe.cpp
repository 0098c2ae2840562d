// k-nearest neighbours with cosine similarity (k = ProbeOptions::knn_neighbours, 5 by default), as
// scikit-learn's KNeighborsClassifier(n_neighbors=5, metric="cosine") predicts.
//
// Fit: keep every training row L2-normalised, x̂ = x/‖x‖ (an all-zero row stays 0), as float32
// (n·d·4 bytes: the compact form; 60000 × 2048 rows take 0.49 GB), and the S label arrays.
// Predict, per block of b query rows: Q̂ (b, d) · X̂ᵀ (d, n) = cosine similarities (b, n) by one SGEMM;
// per query the k most similar training rows (ties to the lower row index), then a majority vote of
// their labels under each label set, ties to the lowest class (scipy's mode, which scikit-learn uses).
// The neighbours are found once and voted on under every label set. Training rows queried against
// themselves count themselves among their neighbours, as scikit-learn's predict(X_train) does.
// Cost: 2·b·n·d flops per block — the whole of this probe's time.
#include <cblas.h>

#include <algorithm>
#include <cmath>

#include "probe/probe.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

// Rows (n, d) scaled to unit length in place; zero rows stay zero.
void normalise_rows(float* x, int64_t n, int64_t d) {
#pragma omp parallel for schedule(static) if (n * d >= (int64_t{1} << 16))
    for (int64_t i = 0; i < n; ++i) {
        float* r = x + i * d;
        double ss = 0.0;
        for (int64_t j = 0; j < d; ++j) ss += double(r[j]) * r[j];
        if (ss > 0.0) {
            const float inv = static_cast<float>(1.0 / std::sqrt(ss));
            for (int64_t j = 0; j < d; ++j) r[j] *= inv;
        }
    }
}

class KnnProbe : public Probe {
public:
    explicit KnnProbe(int k) : k_(k) { PROBENET_CHECK(k_ >= 1, "knn probe: need k >= 1 neighbours, got ", k_); }

    bool needs_rows() const override { return true; }
    bool needs_grams() const override { return false; }
    int64_t row_bytes(int64_t dim) const override { return dim * 4 + 4 * 4; }  // the row + a few label sets

    void fit(const TrainingData& data) override {
        PROBENET_CHECK(data.rows != nullptr, "knn probe (layer ", data.stats.layer(), "): needs the training rows");
        dim_ = data.dim();
        n_ = data.num_rows;
        classes_ = data.num_classes();
        PROBENET_CHECK(n_ >= k_, "knn probe (layer ", data.stats.layer(), "): ", n_, " training rows, fewer than k = ",
                       k_);
        rows_.assign(data.rows, data.rows + n_ * dim_);
        normalise_rows(rows_.data(), n_, dim_);
        labels_.clear();
        for (const int32_t* l : data.labels) labels_.emplace_back(l, l + n_);
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        const int64_t block = 256, sets = static_cast<int64_t>(labels_.size());
        std::vector<float> q, sim;
        for (int64_t b0 = 0; b0 < n; b0 += block) {
            const int64_t b = std::min(block, n - b0);
            q.assign(rows + b0 * dim_, rows + (b0 + b) * dim_);
            normalise_rows(q.data(), b, dim_);
            sim.resize(static_cast<size_t>(b * n_));
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(b), static_cast<int>(n_),
                        static_cast<int>(dim_), 1.0f, q.data(), static_cast<int>(dim_), rows_.data(),
                        static_cast<int>(dim_), 0.0f, sim.data(), static_cast<int>(n_));
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < b; ++i) {
                std::vector<float> best(static_cast<size_t>(k_), -INFINITY);
                std::vector<int64_t> index(static_cast<size_t>(k_), -1);
                const float* s = sim.data() + i * n_;
                for (int64_t j = 0; j < n_; ++j) {
                    if (!(s[j] > best[k_ - 1])) continue;  // strict: the earlier row keeps a tie
                    int64_t p = k_ - 1;
                    for (; p > 0 && s[j] > best[p - 1]; --p) {
                        best[p] = best[p - 1];
                        index[p] = index[p - 1];
                    }
                    best[p] = s[j];
                    index[p] = j;
                }
                std::vector<int32_t> votes(static_cast<size_t>(classes_));
                for (int64_t set = 0; set < sets; ++set) {
                    std::fill(votes.begin(), votes.end(), 0);
                    for (int64_t p = 0; p < k_; ++p) ++votes[labels_[set][index[p]]];
                    predictions[set][b0 + i] = static_cast<int32_t>(std::max_element(votes.begin(), votes.end()) -
                                                                    votes.begin());
                }
            }
        }
    }

    int64_t bytes_held() const override {
        return static_cast<int64_t>(rows_.size() * sizeof(float) + labels_.size() * n_ * sizeof(int32_t));
    }

private:
    int k_;
    int64_t dim_ = 0, n_ = 0;
    int32_t classes_ = 0;
    std::vector<float> rows_;                  // (n, d) normalised training rows
    std::vector<std::vector<int32_t>> labels_;  // S arrays of n
};

}  // namespace

std::unique_ptr<Probe> make_knn_probe(const ProbeOptions& options) {
    return std::make_unique<KnnProbe>(options.knn_neighbours);
}

}  // namespace probenet::probe
