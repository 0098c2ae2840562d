#include "experiments/common/probe_report.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "experiments/common/atomic_file.h"
#include "experiments/common/svg_figure.h"

namespace probenet::experiments {

namespace {

using probe::LayerReport;
using probe::SubspaceLabels;

// reports come in pairs per layer: [corrupted, true].
const LayerReport& report_of(const probe::ProbeResult& r, size_t layer, SubspaceLabels s) {
    return r.reports[2 * layer + (s == SubspaceLabels::True ? 1 : 0)];
}

std::string best_line(const Protocol& protocol, const probe::ProbeResult& result, SubspaceLabels s) {
    const probe::BestLayer best = probe::best_layer(result.reports, s, result.model_test);
    const LayerReport& r = result.reports[best.index];
    char line[256];
    std::snprintf(line, sizeof line, "best layer, %s-label subspaces: %s, MASC test %.4f vs the model's %.4f (%+.2f%%)\n",
                  probe::to_string(s), layer_label(protocol, r.layer).c_str(), best.accuracy, result.model_test,
                  100.0 * best.relative_gain);
    return line;
}

}  // namespace

std::string layer_label(const Protocol& protocol, const std::string& layer) {
    for (const ProbeLayer& p : protocol.probe_layers)
        if (p.name == layer) return p.label;
    return layer;
}

std::string probe_table(const Protocol& protocol, const ProbeContext& context, const probe::ProbeResult& result) {
    std::ostringstream out;
    char line[320];
    std::snprintf(line, sizeof line, "%-14s %5s | %-37s | %-37s | %9s\n", "", "",
                  "   subspaces fit on CORRUPTED labels", "   subspaces fit on TRUE labels", "");
    out << line;
    std::snprintf(line, sizeof line, "%-14s %5s | %6s %10s %10s %7s | %6s %10s %10s %7s | %9s\n", "layer", "dim", "k",
                  "train/corr", "train/true", "test", "k", "train/corr", "train/true", "test", "zero rows");
    out << line;
    const size_t layers = result.reports.size() / 2;
    for (size_t i = 0; i < layers; ++i) {
        const LayerReport& c = report_of(result, i, SubspaceLabels::Corrupted);
        const LayerReport& t = report_of(result, i, SubspaceLabels::True);
        std::snprintf(line, sizeof line, "%-14s %5lld | %6lld %10.4f %10.4f %7.4f | %6lld %10.4f %10.4f %7.4f | %9lld\n",
                      layer_label(protocol, c.layer).c_str(), static_cast<long long>(c.dim),
                      static_cast<long long>(c.k_total()), c.masc_train_corrupt, c.masc_train_true, c.masc_test,
                      static_cast<long long>(t.k_total()), t.masc_train_corrupt, t.masc_train_true, t.masc_test,
                      static_cast<long long>(c.zero_rows));
        out << line;
    }
    std::snprintf(line, sizeof line, "%-14s %5s | %6s %10.4f %10.4f %7.4f |\n", "model itself", "", "",
                  result.model_train_corrupt, result.model_train_true, result.model_test);
    out << line;
    if (context.running_train_acc >= 0) {
        std::snprintf(line, sizeof line,
                      "running train accuracy of the last epoch (the stop rule's figure): %.4f; the model after "
                      "that epoch: %.4f\n",
                      context.running_train_acc, result.model_train_corrupt);
        out << line;
    }
    out << best_line(protocol, result, SubspaceLabels::Corrupted) << best_line(protocol, result, SubspaceLabels::True);
    std::snprintf(line, sizeof line, "probe time: pass 1 (Grams) %.1f s, fit %.1f s, pass 2 (MASC) %.1f s\n",
                  result.seconds_pass1, result.seconds_fit, result.seconds_pass2);
    out << line;
    return out.str();
}

void write_probe_files(const std::string& dir, const Protocol& protocol, const ProbeContext& context,
                       const probe::ProbeResult& result) {
    std::string csv = probe::csv_header() + "\n";
    for (const LayerReport& r : result.reports) csv += probe::csv_line(r) + "\n";
    write_file_atomically(dir + "/layers.csv", csv);

    using json = nlohmann::ordered_json;
    json layers = json::array();
    for (const LayerReport& r : result.reports)
        layers.push_back({{"layer", r.layer},
                          {"label", layer_label(protocol, r.layer)},
                          {"dim", r.dim},
                          {"subspaces", probe::to_string(r.subspaces)},
                          {"k_total", r.k_total()},
                          {"k_per_class", r.k_per_class},
                          {"zero_rows", r.zero_rows},
                          {"masc_train_corrupt", r.masc_train_corrupt},
                          {"masc_train_true", r.masc_train_true},
                          {"masc_test", r.masc_test}});
    json best = json::object();
    for (SubspaceLabels s : {SubspaceLabels::Corrupted, SubspaceLabels::True}) {
        const probe::BestLayer b = probe::best_layer(result.reports, s, result.model_test);
        best[probe::to_string(s)] = {{"layer", result.reports[b.index].layer},
                                     {"masc_test", b.accuracy},
                                     {"relative_gain", b.relative_gain}};
    }
    const json summary = {
        {"experiment", context.experiment},
        {"corrupt", context.corrupt},
        {"run", context.run},
        {"seed", context.seed},
        {"model_source", context.source},
        {"epochs_trained", context.epochs_trained},
        {"train_size", context.train_size},
        {"test_size", context.test_size},
        {"threshold", context.threshold},
        {"zero_row_rule", "all-zero rows are predicted as class 0 and counted in zero_rows"},
        {"model", {{"train_acc_corrupt", result.model_train_corrupt},
                   {"train_acc_true", result.model_train_true},
                   {"test_acc", result.model_test},
                   {"running_train_acc_corrupt_last_epoch",
                    context.running_train_acc >= 0 ? json(context.running_train_acc) : json(nullptr)}}},
        {"best_layer", best},
        {"layers", layers},
        {"seconds", {{"pass1", result.seconds_pass1}, {"fit", result.seconds_fit}, {"pass2", result.seconds_pass2}}}};
    write_file_atomically(dir + "/summary.json", summary.dump(2) + "\n");

    // The figure: MASC accuracies per layer, the model's own accuracies as horizontal lines.
    LineFigure fig;
    char title[200];
    std::snprintf(title, sizeof title, "%s, p = %.2f: MASC accuracy per layer", context.experiment.c_str(),
                  context.corrupt);
    fig.title = title;
    fig.y_label = "accuracy";
    const size_t n = result.reports.size() / 2;
    for (size_t i = 0; i < n; ++i) fig.x_labels.push_back(layer_label(protocol, result.reports[2 * i].layer));
    auto series = [&](const std::string& name, SubspaceLabels s, double LayerReport::*field, const char* color,
                      bool dashed) {
        Series line{name, color, dashed, {}};
        for (size_t i = 0; i < n; ++i) line.values.push_back(report_of(result, i, s).*field);
        fig.series.push_back(line);
    };
    series("MASC test (corrupted-label subspaces)", SubspaceLabels::Corrupted, &LayerReport::masc_test, "#1f77b4", false);
    series("MASC train vs true labels (corrupted-label subspaces)", SubspaceLabels::Corrupted,
           &LayerReport::masc_train_true, "#2ca02c", false);
    series("MASC train vs corrupted labels (corrupted-label subspaces)", SubspaceLabels::Corrupted,
           &LayerReport::masc_train_corrupt, "#ff7f0e", false);
    series("MASC test (true-label subspaces)", SubspaceLabels::True, &LayerReport::masc_test, "#9467bd", true);
    if (context.running_train_acc >= 0)
        fig.hlines.push_back({"running train accuracy of the last epoch (stop rule)", "#e377c2",
                              context.running_train_acc});
    fig.hlines.push_back({"model train accuracy (corrupted labels)", "#d62728", result.model_train_corrupt});
    fig.hlines.push_back({"model test accuracy", "#7f7f7f", result.model_test});
    write_file_atomically(dir + "/layer_accuracy.svg", render_svg(fig));
}

}  // namespace probenet::experiments
