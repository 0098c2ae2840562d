#include "experiments/common/probe_dynamics.h"

#include <algorithm>
#include <cstdio>

#include "experiments/common/atomic_file.h"
#include "experiments/common/svg_figure.h"

namespace probenet::experiments {

void ProbeDynamics::record(const EpochStats& epoch, double probe_seconds, const ProbeContext& context,
                           const probe::ProbeResult& result) {
    if (csv_.empty()) {
        label_sets_ = result.label_sets;
        csv_ = "epoch,probe_seconds,epoch_seconds," + probe::csv_header(label_sets_) + "\n";
    }
    char prefix[96];
    std::snprintf(prefix, sizeof prefix, "%d,%.3f,%.3f,", epoch.epoch, probe_seconds, epoch.seconds);
    for (const probe::LayerReport& r : result.reports) csv_ += prefix + probe::csv_line(r) + "\n";
    write_file_atomically(dir_ + "/dynamics.csv", csv_);
    points_.push_back({epoch, probe_seconds, result});

    LineFigure fig;
    fig.title = title_ + ": probe test accuracy during training";
    fig.y_label = "accuracy";
    for (const Point& p : points_) fig.x_labels.push_back("epoch " + std::to_string(p.epoch.epoch));
    static const char* kPalette[] = {"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#bcbd22"};
    const probe::LayerReport& first = points_.front().result.reports.front();
    std::vector<std::string> layers;
    for (const probe::LayerReport& r : points_.front().result.reports)
        if (std::find(layers.begin(), layers.end(), r.layer) == layers.end()) layers.push_back(r.layer);
    for (size_t l = 0; l < layers.size(); ++l) {
        Series s{first.probe_name() + " test, " + context.label(layers[l]) + " (fit on " + first.subspaces + " labels)",
                 kPalette[l % 7], false, {}};
        for (const Point& p : points_)
            for (const probe::LayerReport& r : p.result.reports)
                if (r.layer == layers[l] && r.probe == first.probe && r.threshold == first.threshold &&
                    r.subspaces == first.subspaces)
                    s.values.push_back(r.test);
        fig.series.push_back(s);
    }
    Series train{"model running train accuracy (corrupted labels)", "#d62728", true, {}},
        test{"model test accuracy", "#7f7f7f", true, {}};
    for (const Point& p : points_) {
        train.values.push_back(p.epoch.running_acc_corrupt);
        test.values.push_back(p.epoch.test_acc);
    }
    fig.series.push_back(train);
    fig.series.push_back(test);
    write_file_atomically(dir_ + "/dynamics.svg", render_svg(fig));
}

}  // namespace probenet::experiments
