#include "experiments/common/probe_report.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "experiments/common/atomic_file.h"
#include "experiments/common/svg_figure.h"

namespace probenet::experiments {

namespace {

using probe::LayerReport;

// The (probe, threshold) pairs of a result, in report order.
std::vector<std::pair<std::string, std::string>> probe_blocks(const probe::ProbeResult& result) {
    std::vector<std::pair<std::string, std::string>> blocks;
    for (const LayerReport& r : result.reports) {
        const std::pair<std::string, std::string> key{r.probe, r.threshold};
        if (std::find(blocks.begin(), blocks.end(), key) == blocks.end()) blocks.push_back(key);
    }
    return blocks;
}

std::string best_line(const ProbeContext& context, const probe::ProbeResult& result, const LayerReport& like) {
    const probe::BestLayer best = probe::best_layer(result.reports, like.probe, like.threshold, like.subspaces,
                                                    result.model_test);
    char line[320];
    std::snprintf(line, sizeof line, "best layer, %s fit on %s labels: %s, test %.4f vs the model's %.4f (%+.2f%%)\n",
                  like.probe_name().c_str(), like.subspaces.c_str(),
                  context.label(result.reports[best.index].layer).c_str(), best.accuracy, result.model_test,
                  100.0 * best.relative_gain);
    return line;
}

}  // namespace

const std::string& ProbeContext::label(const std::string& layer) const {
    const auto it = labels.find(layer);
    return it == labels.end() ? layer : it->second;
}

std::string probe_table(const ProbeContext& context, const probe::ProbeResult& result) {
    std::ostringstream out;
    char cell[64];
    // MASC's rows rescored in float64 (probe/masc.h), as a count and a share of the train and test rows.
    const auto rescored = [&](const LayerReport& r) {
        char buf[48];
        const double rows = double(context.train_size + context.test_size);
        std::snprintf(buf, sizeof buf, "%lld (%.1f%%)", static_cast<long long>(r.rescored_rows),
                      rows > 0 ? 100.0 * double(r.rescored_rows) / rows : 0.0);
        std::snprintf(cell, sizeof cell, " %17s", buf);
        return std::string(cell);
    };
    auto header = [&](bool with_rescored) {
        std::string h;
        std::snprintf(cell, sizeof cell, "%-14s %5s  %-10s %6s", "layer", "dim", "fit on", "k");
        h = cell;
        for (const std::string& s : result.label_sets) {
            std::snprintf(cell, sizeof cell, " %11s", ("train/" + s.substr(0, 4)).c_str());
            h += cell;
        }
        std::snprintf(cell, sizeof cell, " %7s %9s", "test", "zero rows");
        h += cell;
        if (with_rescored) {
            std::snprintf(cell, sizeof cell, " %17s", "float64 rescored");
            h += cell;
        }
        return h + "\n";
    };
    for (const auto& block : probe_blocks(result)) {
        const std::string& probe_name = block.first;  // named references, not structured bindings:
        const std::string& threshold = block.second;  // clang 14 refuses to capture those in a lambda
        const bool with_rescored = std::any_of(result.reports.begin(), result.reports.end(), [&](const LayerReport& r) {
            return r.probe == probe_name && r.threshold == threshold && r.rescored_rows >= 0;
        });
        out << "\n" << probe_name << (threshold.empty() ? "" : ", threshold " + threshold) << ":\n"
            << header(with_rescored);
        std::string last_layer;
        for (const LayerReport& r : result.reports) {
            if (r.probe != probe_name || r.threshold != threshold) continue;
            const bool first = r.layer != last_layer;
            last_layer = r.layer;
            std::snprintf(cell, sizeof cell, "%-14s %5s  %-10s ", first ? context.label(r.layer).c_str() : "",
                          first ? std::to_string(r.dim).c_str() : "", r.subspaces.c_str());
            out << cell;
            std::snprintf(cell, sizeof cell, "%6s", r.k_per_class.empty() ? "-" : std::to_string(r.k_total()).c_str());
            out << cell;
            for (double a : r.train) {
                std::snprintf(cell, sizeof cell, " %11.4f", a);
                out << cell;
            }
            std::snprintf(cell, sizeof cell, " %7.4f %9lld", r.test, static_cast<long long>(r.zero_rows));
            out << cell << (with_rescored ? rescored(r) : "") << "\n";
        }
    }
    char line[320];
    std::snprintf(line, sizeof line, "\nmodel itself: train vs corrupted labels %.4f, vs true labels %.4f, test %.4f\n",
                  result.model_train_corrupt, result.model_train_true, result.model_test);
    out << line;
    if (context.running_train_acc >= 0) {
        std::snprintf(line, sizeof line,
                      "running train accuracy of the last epoch (the stop rule's figure): %.4f; the model after "
                      "that epoch: %.4f\n",
                      context.running_train_acc, result.model_train_corrupt);
        out << line;
    }
    if (result.model_test > 0)
        for (const auto& [probe_name, threshold] : probe_blocks(result))
            for (const std::string& s : result.label_sets) {
                LayerReport like;
                like.probe = probe_name;
                like.threshold = threshold;
                like.subspaces = s;
                out << best_line(context, result, like);
            }
    for (const std::string& note : result.notes) out << "note: " << note << "\n";
    std::snprintf(line, sizeof line, "probe time: pass 1 (statistics) %.1f s, fit %.1f s, pass 2 (predict) %.1f s\n",
                  result.seconds_pass1, result.seconds_fit, result.seconds_pass2);
    out << line;
    for (const probe::ProbeTiming& t : result.timings) {
        std::snprintf(line, sizeof line, "  %-7s fit %7.1f s, predict %7.1f s, holds %.1f MB (largest layer)\n",
                      t.probe.c_str(), t.seconds_fit, t.seconds_predict, double(t.bytes_held) / 1e6);
        out << line;
    }
    return out.str();
}

void write_probe_files(const std::string& dir, const ProbeContext& context, const probe::ProbeResult& result) {
    std::string csv = probe::csv_header(result.label_sets) + "\n";
    for (const LayerReport& r : result.reports) csv += probe::csv_line(r) + "\n";
    write_file_atomically(dir + "/layers.csv", csv);

    using json = nlohmann::ordered_json;
    json layers = json::array();
    for (const LayerReport& r : result.reports) {
        json train = json::object();
        for (size_t s = 0; s < r.train.size(); ++s) train[result.label_sets[s]] = r.train[s];
        layers.push_back({{"layer", r.layer},
                          {"label", context.label(r.layer)},
                          {"dim", r.dim},
                          {"probe", r.probe},
                          {"threshold", r.threshold},
                          {"subspaces", r.subspaces},
                          {"k_total", r.k_total()},
                          {"k_per_class", r.k_per_class},
                          {"zero_rows", r.zero_rows},
                          {"train", train},
                          {"test", r.test}});
        if (r.rescored_rows >= 0) layers.back()["rescored_float64"] = r.rescored_rows;
    }
    json best = json::array();
    if (result.model_test > 0)
        for (const auto& [probe_name, threshold] : probe_blocks(result))
            for (const std::string& s : result.label_sets) {
                const probe::BestLayer b = probe::best_layer(result.reports, probe_name, threshold, s, result.model_test);
                best.push_back({{"probe", probe_name},
                                {"threshold", threshold},
                                {"subspaces", s},
                                {"layer", result.reports[b.index].layer},
                                {"test", b.accuracy},
                                {"relative_gain", b.relative_gain}});
            }
    json timings = json::array();
    for (const probe::ProbeTiming& t : result.timings)
        timings.push_back({{"probe", t.probe}, {"fit", t.seconds_fit}, {"predict", t.seconds_predict},
                           {"bytes_held", t.bytes_held}});
    const json summary = {
        {"experiment", context.experiment},
        {"corrupt", context.corrupt},
        {"run", context.run},
        {"seed", context.seed},
        {"model_source", context.source},
        {"epochs_trained", context.epochs_trained},
        {"train_size", context.train_size},
        {"test_size", context.test_size},
        {"threshold", context.thresholds},
        {"probe_corrupt", context.probe_corrupt >= 0 ? json(context.probe_corrupt) : json(nullptr)},
        {"label_sets", result.label_sets},
        {"zero_row_rule", "MASC predicts class 0 for all-zero rows; zero_rows counts them"},
        {"model", {{"train_acc_corrupt", result.model_train_corrupt},
                   {"train_acc_true", result.model_train_true},
                   {"test_acc", result.model_test},
                   {"running_train_acc_corrupt_last_epoch",
                    context.running_train_acc >= 0 ? json(context.running_train_acc) : json(nullptr)}}},
        {"best_layer", best},
        {"notes", result.notes},
        {"layers", layers},
        {"seconds", {{"pass1", result.seconds_pass1}, {"fit", result.seconds_fit}, {"pass2", result.seconds_pass2},
                     {"per_probe", timings}}}};
    write_file_atomically(dir + "/summary.json", summary.dump(2) + "\n");

    // The figure: per layer, MASC's train and test accuracies for its first threshold (as the paper's
    // Figure 2), and the test accuracy of every other probe, threshold and label set; the model's own
    // accuracies as horizontal lines.
    LineFigure fig;
    char title[200];
    std::snprintf(title, sizeof title, "%s, p = %.2f: probe accuracy per layer", context.experiment.c_str(),
                  context.corrupt);
    fig.title = title;
    fig.y_label = "accuracy";
    std::vector<std::string> layer_order;
    for (const LayerReport& r : result.reports)
        if (std::find(layer_order.begin(), layer_order.end(), r.layer) == layer_order.end()) layer_order.push_back(r.layer);
    for (const std::string& l : layer_order) fig.x_labels.push_back(context.label(l));
    static const char* kPalette[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                     "#17becf", "#bcbd22", "#e377c2", "#393b79", "#637939"};
    size_t color = 0;
    auto series = [&](const std::string& name, const std::string& probe_name, const std::string& threshold,
                      const std::string& fit, int train_set, bool dashed) {
        Series line{name, kPalette[color++ % 10], dashed, {}};
        for (const std::string& l : layer_order)
            for (const LayerReport& r : result.reports)
                if (r.layer == l && r.probe == probe_name && r.threshold == threshold && r.subspaces == fit)
                    line.values.push_back(train_set < 0 ? r.test : r.train[static_cast<size_t>(train_set)]);
        if (line.values.size() == layer_order.size()) fig.series.push_back(line);
    };
    const auto blocks = probe_blocks(result);
    for (const auto& [probe_name, threshold] : blocks) {
        const std::string name = threshold.empty() ? probe_name : probe_name + " " + threshold;
        const bool headline = probe_name == "masc" && threshold == blocks.front().second;
        for (size_t s = 0; s < result.label_sets.size(); ++s) {
            const std::string& fit = result.label_sets[s];
            series(name + " test (fit on " + fit + " labels)", probe_name, threshold, fit, -1, s > 0);
            if (headline && s == 0)
                for (size_t t = 0; t < result.label_sets.size(); ++t)
                    series(name + " train vs " + result.label_sets[t] + " labels (fit on " + fit + " labels)",
                           probe_name, threshold, fit, static_cast<int>(t), false);
        }
    }
    if (context.running_train_acc >= 0)
        fig.hlines.push_back({"running train accuracy of the last epoch (stop rule)", "#e377c2",
                              context.running_train_acc});
    fig.hlines.push_back({"model train accuracy (corrupted labels)", "#d62728", result.model_train_corrupt});
    fig.hlines.push_back({"model test accuracy", "#7f7f7f", result.model_test});
    write_file_atomically(dir + "/layer_accuracy.svg", render_svg(fig));
}

}  // namespace probenet::experiments
