// A small line chart written as SVG: categorical x axis (layers), y axis in [0, 1] (accuracies),
// polyline series with markers, horizontal reference lines, a legend below the plot.
#pragma once

#include <string>
#include <vector>

namespace probenet::experiments {

struct Series {
    std::string name;
    std::string color;
    bool dashed = false;
    std::vector<double> values;  // one per x label
};

struct HLine {
    std::string name;
    std::string color;
    double value = 0;
};

struct LineFigure {
    std::string title, y_label;
    std::vector<std::string> x_labels;
    std::vector<Series> series;
    std::vector<HLine> hlines;
};

std::string render_svg(const LineFigure& figure);

}  // namespace probenet::experiments
