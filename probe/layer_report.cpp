#include "probe/layer_report.h"

#include <cstdio>
#include <numeric>

#include "tensor/error.h"

namespace probenet::probe {

int64_t LayerReport::k_total() const { return std::accumulate(k_per_class.begin(), k_per_class.end(), int64_t{0}); }

std::string LayerReport::probe_name() const { return threshold.empty() ? probe : probe + " " + threshold; }

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

std::string csv_header(const std::vector<std::string>& label_sets) {
    std::string h = "layer,dim,probe,threshold,subspaces,k_total,k_per_class,zero_rows";
    for (const std::string& s : label_sets) h += "," + csv_field("train_" + s);
    return h + ",test";
}

std::string csv_line(const LayerReport& r) {
    std::string ks;
    for (size_t i = 0; i < r.k_per_class.size(); ++i) {
        if (i) ks += ';';
        ks += std::to_string(r.k_per_class[i]);
    }
    std::string line = csv_field(r.layer) + "," + std::to_string(r.dim) + "," + csv_field(r.probe) + "," +
                       csv_field(r.threshold) + "," + csv_field(r.subspaces) + "," + std::to_string(r.k_total()) + "," +
                       ks + "," + std::to_string(r.zero_rows);
    for (double a : r.train) line += "," + fraction(a);
    return line + "," + fraction(r.test);
}

BestLayer best_layer(const std::vector<LayerReport>& reports, const std::string& probe, const std::string& threshold,
                     const std::string& subspaces, double model_accuracy) {
    PROBENET_CHECK(model_accuracy > 0.0,
                   "best_layer: the model's test accuracy must be > 0 to give a relative gain, got ", model_accuracy);
    bool found = false;
    BestLayer best;
    for (size_t i = 0; i < reports.size(); ++i) {
        const LayerReport& r = reports[i];
        if (r.probe != probe || r.threshold != threshold || r.subspaces != subspaces) continue;
        if (!found || r.test > best.accuracy) {
            best.index = i;
            best.accuracy = r.test;
            found = true;
        }
    }
    PROBENET_CHECK(found, "best_layer: none of the ", reports.size(), " reports is probe ", probe,
                   threshold.empty() ? "" : " at threshold " + threshold, " fit on ", subspaces, " labels");
    best.relative_gain = (best.accuracy - model_accuracy) / model_accuracy;
    return best;
}

}  // namespace probenet::probe
