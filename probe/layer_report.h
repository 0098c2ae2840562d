// LayerReport: one row of the probe's results — one layer, one probe (and threshold), fit on one
// label set — the best-layer choice of the paper (§3.3, Table 1) and the CSV form of the rows.
//
// CSV columns, in this order (k_per_class is ';'-separated; accuracies are fractions in [0, 1]):
//   layer,dim,probe,threshold,subspaces,k_total,k_per_class,zero_rows,train_<set>…,test
// probe: masc, ncm, knn, lda, qda or linear; threshold: MASC's ("0.99", or "5" components per class),
// empty for the other probes; subspaces: the label set the probe was fit on ("corrupted": the labels
// the model was trained on, "true", or e.g. "p0.8" for --probe-corrupt 0.8); train_<set>: accuracy on
// the training rows against each label set of the run, in the run's order (train_corrupted,
// train_true by default); test: accuracy on the test rows against their labels; k_total/k_per_class:
// MASC's components (0 and empty for other probes). zero_rows counts the all-zero rows among the
// scored train and test rows (see probe/masc.h for what MASC predicts for them).
// Before the probe API (one probe, two label sets) the columns were
//   layer,dim,subspaces,k_total,k_per_class,zero_rows,masc_train_corrupt,masc_train_true,masc_test
// which are this file's masc rows under the names train_corrupted, train_true and test.
// The caller writes the file (atomically); this file only formats.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet::probe {

struct LayerReport {
    std::string layer;
    int64_t dim = 0;
    std::string probe = "masc";
    std::string threshold;  // MASC's threshold; empty for probes without one
    std::string subspaces;  // the label set the probe was fit on
    std::vector<int64_t> k_per_class;
    int64_t zero_rows = 0;      // all-zero rows among the scored train and test rows
    // MASC: train and test rows whose float32 scores were not certified and were scored in float64
    // (probe/masc.h; every threshold and label set together); −1 for the other probes and for
    // --masc-precision float64. Printed and in summary.json, not in the CSV.
    int64_t rescored_rows = -1;
    std::vector<double> train;  // accuracy on the training rows vs each label set of the run
    double test = 0.0;          // accuracy on the test rows vs their labels

    int64_t k_total() const;
    // "masc 0.99" or "knn": the probe and its threshold, as tables and figures name it.
    std::string probe_name() const;
};

// The header line and one data line (no trailing newline). label_sets names the train_ columns.
// Layer names with a comma, quote or line break are quoted as RFC 4180 says.
std::string csv_header(const std::vector<std::string>& label_sets);
std::string csv_line(const LayerReport& report);

struct BestLayer {
    size_t index = 0;            // into the reports given
    double accuracy = 0.0;       // its test accuracy
    double relative_gain = 0.0;  // (accuracy − model) / model: 1.5993 is the paper's "159.93 %"
};

// Among the reports of `probe` (and `threshold`) fit on `subspaces` labels: the highest test accuracy,
// the first one on ties, and its gain over the model's own test accuracy (> 0). Throws if none match.
BestLayer best_layer(const std::vector<LayerReport>& reports, const std::string& probe, const std::string& threshold,
                     const std::string& subspaces, double model_accuracy);

}  // namespace probenet::probe
