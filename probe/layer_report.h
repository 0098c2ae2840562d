// LayerReport: one row of the probe's results — a layer evaluated with one set of class subspaces —
// the best-layer choice of the paper (§3.3, Table 1) and the CSV form of the rows.
//
// CSV columns, in this order (k_per_class is ';'-separated; accuracies are fractions in [0, 1]):
//   layer,dim,subspaces,k_total,k_per_class,zero_rows,masc_train_corrupt,masc_train_true,masc_test
// zero_rows counts the all-zero rows MASC scored (train + test); see probe/masc.h for what they get.
// The caller writes the file (atomically); this file only formats.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace probenet::probe {

struct LayerSubspaces;
class MascTally;

enum class SubspaceLabels { Corrupted, True };
const char* to_string(SubspaceLabels labels);  // "corrupted" | "true"

struct LayerReport {
    std::string layer;
    int64_t dim = 0;
    SubspaceLabels subspaces = SubspaceLabels::Corrupted;  // the labels the class subspaces were fit on
    std::vector<int64_t> k_per_class;
    int64_t zero_rows = 0;            // all-zero rows among the scored train and test rows
    double masc_train_corrupt = 0.0;  // MASC on the training rows vs their corrupted labels
    double masc_train_true = 0.0;     // … vs their true labels
    double masc_test = 0.0;           // MASC on the test rows vs their (true) labels

    int64_t k_total() const;
};

// The two records of one layer in a probe run, by the run's conventions: `fit` = {corrupted, true}
// subspaces (ClassGram label sets 0 and 1), `train` a MascTally of a Masc over both sets against the
// label arrays {corrupted, true} of the training rows, `test` one against the test rows' true labels.
std::array<LayerReport, 2> layer_reports(const std::vector<LayerSubspaces>& fit, const MascTally& train,
                                         const MascTally& test);

// The header line and one data line (no trailing newline). Layer names with a comma, quote or line
// break are quoted as RFC 4180 says.
std::string csv_header();
std::string csv_line(const LayerReport& report);

struct BestLayer {
    size_t index = 0;            // into the reports given
    double accuracy = 0.0;       // its masc_test
    double relative_gain = 0.0;  // (accuracy − model) / model: 1.5993 is the paper's "159.93 %"
};

// Among the reports fit on `subspaces` labels: the highest masc_test, the first one on ties, and its
// gain over the model's own test accuracy (> 0). Throws if no report has those subspaces.
BestLayer best_layer(const std::vector<LayerReport>& reports, SubspaceLabels subspaces, double model_accuracy);

}  // namespace probenet::probe
