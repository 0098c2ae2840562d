// Probe: a classifier fit on one layer's training activations under one or more label sets, then
// asked to predict rows. MASC is one; nearest class mean, k-NN, LDA, QDA and a linear probe are the
// paper's baselines (probe/probe_registry.h lists them all and is where a new one is registered).
//
// How a probe run (probe/probe_run.h) drives a probe, per probed layer:
//   pass 1  the training rows (n, d) stream through the hooks once; they go into the layer's shared
//           ClassGram — per label set s and class c: count n_sc, sum Σx, Gram XᵀX (float64) — and,
//           only if some probe of the run needs_rows(), into one float32 copy of the rows.
//   fit     every probe's fit() gets the same TrainingData (the flushed ClassGram, and the rows when
//           asked for) and fits one classifier per label set (and per variant, below).
//   pass 2  train and test rows stream again; predict() labels each block with every classifier.
// So a probe that works from streamed statistics costs no extra pass and no memory per sample:
//   mean          μ_c = Σx / n_c
//   class covariance (centred)  Σ_c = (XᵀX − n_c μ_c μ_cᵀ) / (n_c − 1)
//   pooled within-class scatter W = Σ_c (XᵀX − n_c μ_c μ_cᵀ)
// A probe that needs the rows themselves (k-NN, the linear probe) says so with needs_rows() and
// states its bytes per training row (row_bytes), which the run checks against a memory limit before
// any pass over the data.
//
// Variants: one fitted probe may hold several classifiers per label set (MASC: one per threshold of a
// --variance sweep, from one eigendecomposition). predict() fills predictions[v·S + s] for variant v
// and label set s (S = TrainingData::labels.size()).
//
// Ties between classes go to the lowest class index in every probe. Predictions are class indices
// in [0, K), or kNoPrediction (−1, probe/masc.h) where a probe declines (MASC's zero-row rule).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "probe/class_gram.h"
#include "probe/masc.h"
#include "probe/threshold.h"

namespace probenet::probe {

// Settings every probe may read (each reads only its own).
struct ProbeOptions {
    std::vector<Threshold> thresholds = {default_threshold()};  // MASC: one classifier per threshold
    ZeroRowRule zero_rows = ZeroRowRule::LowestClass;            // MASC: all-zero rows
    MascPrecision masc_precision = MascPrecision::Float32Certified;  // MASC: the same predictions either way
    int knn_neighbours = 5;                                      // k-NN
    double qda_reg = 0.0;  // QDA: Σ_c ← (1 − r)Σ_c + r·I (scikit-learn's reg_param; the authors ran 0)
    int linear_epochs = 20;                                      // linear probe: Adam 1e-3, batch 128
    int linear_batch = 128;
    double linear_lr = 1e-3;
    uint32_t seed = 0;  // linear probe: initialisation and the shuffle (numpy permutation of seed + epoch)
};

// What a probe is fit from: one layer's training activations under S label sets.
struct TrainingData {
    const ClassGram& stats;              // flushed; S label sets, K classes, dim d
    const float* rows = nullptr;         // (n, d) row-major training rows, only if needs_rows() of some probe
    int64_t num_rows = 0;                // n (the number of training rows, also when rows is null)
    std::vector<const int32_t*> labels;  // S arrays of n class indices, in the rows' order
    std::vector<std::string> label_sets; // S names, e.g. {"corrupted", "true"}

    int64_t dim() const { return stats.dim(); }
    int32_t num_classes() const { return stats.num_classes(); }
    int32_t num_sets() const { return static_cast<int32_t>(labels.size()); }
};

class Probe {
public:
    virtual ~Probe() = default;

    // True if fit() reads TrainingData::rows; then row_bytes(d) is what the probe keeps per training row.
    virtual bool needs_rows() const { return false; }
    virtual int64_t row_bytes(int64_t /*dim*/) const { return 0; }
    // True if fit() reads the class Grams (TrainingData::stats' gram / full_gram / raw_rows); when no
    // probe of a run does, pass 1 gathers counts and sums only (ClassGram::Options::grams).
    virtual bool needs_grams() const { return true; }

    // Fits one classifier per label set (and variant). May throw probenet::Error naming the layer.
    virtual void fit(const TrainingData& data) = 0;

    // Variant names after fit, e.g. MASC's thresholds {"0.25", "0.99"}; {""} when there is one.
    virtual std::vector<std::string> variants() const { return {""}; }

    // rows (n, d) row-major; predictions: variants().size() · S arrays of n, [v·S + s].
    virtual void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const = 0;
    // After fit: rows per predict() call at which the probe's per-call costs are amortised (MASC
    // packs its whole basis once per GEMM); a probe run gathers that many rows before calling, however
    // small its forward batches. 0: any number will do.
    virtual int64_t rows_per_predict() const { return 0; }

    // Components kept per class (MASC); empty for probes without subspaces.
    virtual std::vector<int64_t> k_per_class(size_t /*variant*/, int32_t /*set*/) const { return {}; }

    // Rows predict() has scored in float64 so far because their float32 scores were not certified
    // (MASC, probe/masc.h); −1 for probes that do not score in float32.
    virtual int64_t rows_rescored() const { return -1; }

    // After fit: anything a reader of the results must know (e.g. QDA on a rank-deficient class
    // covariance), one line, or empty.
    virtual std::string note() const { return {}; }

    // Bytes the fitted probe holds (for the report).
    virtual int64_t bytes_held() const = 0;
};

}  // namespace probenet::probe
