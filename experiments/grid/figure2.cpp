#include "experiments/grid/figure2.h"

#include <algorithm>
#include <functional>
#include <map>

#include "experiments/common/svg_figure.h"
#include "experiments/grid/grid_options.h"

namespace probenet::experiments {

namespace {

// Mean, min and max over runs of one per-layer value, layer by layer in `layers`' order.
Series layer_series(const std::string& name, const std::string& color, const std::vector<std::string>& layers,
                    const std::vector<const CellResult*>& runs, const std::function<double(const LayerResult&)>& get) {
    Series s{name, color, false, {}, {}, {}};
    for (const std::string& layer : layers) {
        double sum = 0, lo = 1, hi = 0;
        int n = 0;
        for (const CellResult* c : runs)
            for (const LayerResult& l : c->layers)
                if (l.layer == layer) {
                    const double v = get(l);
                    sum += v;
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                    ++n;
                }
        s.values.push_back(n > 0 ? sum / n : 0);
        s.low.push_back(n > 0 ? lo : 0);
        s.high.push_back(n > 0 ? hi : 0);
    }
    return s;
}

double mean_of(const std::vector<const CellResult*>& runs, double CellResult::*field) {
    double sum = 0;
    for (const CellResult* c : runs) sum += c->*field;
    return runs.empty() ? 0 : sum / double(runs.size());
}

}  // namespace

std::string figure2_svg(const std::string& pair, const std::vector<CellResult>& cells) {
    std::map<double, std::vector<const CellResult*>> by_p;
    for (const CellResult& c : cells)
        if (c.pair == pair) by_p[c.corrupt].push_back(&c);
    if (by_p.empty()) return "";
    PanelFigure figure;
    figure.title = pair + ": MASC accuracy per layer, corrupted-label subspaces";
    figure.subtitle = "mean over runs, bars from the lowest to the highest run; the model's own accuracy as lines";
    figure.columns = by_p.size() > 1 ? 2 : 1;
    for (const auto& [p, runs] : by_p) {
        LineFigure panel;
        std::string run_list;
        for (const CellResult* c : runs) run_list += (run_list.empty() ? "" : ", ") + std::to_string(c->run);
        panel.title = "p = " + corruption_text(p) + " (run" + (runs.size() > 1 ? "s " : " ") + run_list + ")";
        panel.y_label = "accuracy";
        std::vector<std::string> layers;
        for (const LayerResult& l : runs.front()->layers) {
            layers.push_back(l.layer);
            panel.x_labels.push_back(l.label);
        }
        panel.series.push_back(layer_series("MASC test accuracy", "#1f77b4", layers, runs,
                                            [](const LayerResult& l) { return l.test_corrupted; }));
        panel.series.push_back(layer_series("MASC train accuracy vs corrupted labels", "#ff7f0e", layers, runs,
                                            [](const LayerResult& l) { return l.train_vs_corrupted; }));
        panel.series.push_back(layer_series("MASC train accuracy vs true labels", "#2ca02c", layers, runs,
                                            [](const LayerResult& l) { return l.train_vs_true; }));
        panel.hlines.push_back({"model train accuracy (corrupted labels, after training)", "#d62728",
                                mean_of(runs, &CellResult::model_train_corrupt), "8,5"});
        panel.hlines.push_back({"model test accuracy", "#7f7f7f", mean_of(runs, &CellResult::model_test), "2,4"});
        figure.panels.push_back(panel);
    }
    return render_svg_panels(figure);
}

}  // namespace probenet::experiments
