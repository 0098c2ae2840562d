// The MASC probe (probe/masc.h) behind the Probe interface: per-class PCA subspaces from the shared
// ClassGram (probe/pca.h), one subspace set per (threshold, label set) — a --variance sweep fits every
// threshold from one eigendecomposition per class — and one Masc that scores all of them with one
// GEMM per block of rows. Numerically the same code path as before the interface existed.
#include <atomic>
#include <utility>

#include "probe/pca.h"
#include "probe/probe.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

class MascProbe : public Probe {
public:
    explicit MascProbe(const ProbeOptions& options) : options_(options) {
        PROBENET_CHECK(!options_.thresholds.empty(), "masc probe: no threshold given (--variance)");
    }

    void fit(const TrainingData& data) override {
        // fit_subspaces flushes; the ClassGram is flushed already, so the const_cast changes nothing.
        fitted_ = fit_subspaces(const_cast<ClassGram&>(data.stats), options_.thresholds);
        std::vector<const LayerSubspaces*> sets;
        for (const auto& per_threshold : fitted_)
            for (const LayerSubspaces& s : per_threshold) sets.push_back(&s);
        masc_ = std::make_unique<Masc>(sets, options_.zero_rows, options_.masc_precision);
        rescored_ = 0;
        for (auto& per_threshold : fitted_)  // the Masc holds its own copy of the bases
            for (LayerSubspaces& s : per_threshold)
                for (ClassSubspace& c : s.classes) std::vector<double>().swap(c.basis);
    }

    std::vector<std::string> variants() const override {
        std::vector<std::string> names;
        for (const Threshold& t : options_.thresholds) names.push_back(to_string(t));
        return names;
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        rescored_ += masc_->predict(rows, n, predictions).rescored;
    }

    int64_t rows_per_predict() const override { return masc_ ? masc_->rows_per_predict() : 0; }

    std::vector<int64_t> k_per_class(size_t variant, int32_t set) const override {
        return fitted_.at(variant).at(static_cast<size_t>(set)).k_per_class();
    }

    int64_t rows_rescored() const override {
        return masc_ && masc_->precision() == MascPrecision::Float32Certified ? rescored_.load() : -1;
    }

    int64_t bytes_held() const override { return masc_ ? masc_->bytes_held() : 0; }

private:
    ProbeOptions options_;
    std::vector<std::vector<LayerSubspaces>> fitted_;  // [threshold][label set], bases dropped after fit
    std::unique_ptr<Masc> masc_;
    mutable std::atomic<int64_t> rescored_{0};  // MascCounts::rescored over every predict since fit
};

}  // namespace

std::unique_ptr<Probe> make_masc_probe(const ProbeOptions& options) { return std::make_unique<MascProbe>(options); }

}  // namespace probenet::probe
