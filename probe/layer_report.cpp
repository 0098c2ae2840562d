#include "probe/layer_report.h"

#include <cstdio>
#include <numeric>

#include "probe/masc.h"
#include "probe/pca.h"
#include "tensor/error.h"

namespace probenet::probe {

const char* to_string(SubspaceLabels labels) { return labels == SubspaceLabels::True ? "true" : "corrupted"; }

int64_t LayerReport::k_total() const { return std::accumulate(k_per_class.begin(), k_per_class.end(), int64_t{0}); }

std::array<LayerReport, 2> layer_reports(const std::vector<LayerSubspaces>& fit, const MascTally& train,
                                         const MascTally& test) {
    PROBENET_CHECK(fit.size() == 2, "layer_reports: need the {corrupted, true} subspaces of a layer, got ",
                   fit.size(), " subspace sets");
    std::array<LayerReport, 2> out;
    for (int32_t s = 0; s < 2; ++s) {
        LayerReport& r = out[s];
        r.layer = fit[s].layer;
        r.dim = fit[s].dim;
        r.subspaces = s == 0 ? SubspaceLabels::Corrupted : SubspaceLabels::True;
        r.k_per_class = fit[s].k_per_class();
        r.zero_rows = train.zero_rows() + test.zero_rows();
        r.masc_train_corrupt = train.accuracy(s, 0);
        r.masc_train_true = train.accuracy(s, 1);
        r.masc_test = test.accuracy(s, 0);
    }
    return out;
}

std::string csv_header() {
    return "layer,dim,subspaces,k_total,k_per_class,zero_rows,masc_train_corrupt,masc_train_true,masc_test";
}

namespace {
std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
}

std::string fraction(double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    return buf;
}
}  // namespace

std::string csv_line(const LayerReport& r) {
    std::string ks;
    for (size_t i = 0; i < r.k_per_class.size(); ++i) {
        if (i) ks += ';';
        ks += std::to_string(r.k_per_class[i]);
    }
    return csv_field(r.layer) + "," + std::to_string(r.dim) + "," + to_string(r.subspaces) + "," +
           std::to_string(r.k_total()) + "," + ks + "," + std::to_string(r.zero_rows) + "," +
           fraction(r.masc_train_corrupt) + "," + fraction(r.masc_train_true) + "," + fraction(r.masc_test);
}

BestLayer best_layer(const std::vector<LayerReport>& reports, SubspaceLabels subspaces, double model_accuracy) {
    PROBENET_CHECK(model_accuracy > 0.0,
                   "best_layer: the model's test accuracy must be > 0 to give a relative gain, got ", model_accuracy);
    bool found = false;
    BestLayer best;
    for (size_t i = 0; i < reports.size(); ++i) {
        if (reports[i].subspaces != subspaces) continue;
        if (!found || reports[i].masc_test > best.accuracy) {
            best.index = i;
            best.accuracy = reports[i].masc_test;
            found = true;
        }
    }
    PROBENET_CHECK(found, "best_layer: none of the ", reports.size(), " reports was fit on ", to_string(subspaces),
                   " labels");
    best.relative_gain = (best.accuracy - model_accuracy) / model_accuracy;
    return best;
}

}  // namespace probenet::probe
