// Small line charts written as SVG: categorical x axis (layers), y axis in [0, 1] (accuracies),
// polyline series with markers and optional min–max bars, horizontal reference lines, a legend below
// the plot. One chart (render_svg), or several side by side sharing one legend (render_svg_panels,
// e.g. one panel per corruption degree as in the paper's Figure 2).
#pragma once

#include <string>
#include <vector>

namespace probenet::experiments {

struct Series {
    std::string name;
    std::string color;
    bool dashed = false;
    std::vector<double> values;  // one per x label
    // Optional: a vertical bar from low[i] to high[i] at each point (e.g. the min–max over runs).
    std::vector<double> low = {}, high = {};
};

struct HLine {
    std::string name;
    std::string color;
    double value = 0;
    std::string dash = "2,4";  // SVG stroke-dasharray
};

struct LineFigure {
    std::string title, y_label;
    std::vector<std::string> x_labels;
    std::vector<Series> series;
    std::vector<HLine> hlines;
};

std::string render_svg(const LineFigure& figure);

// Panels in a grid of `columns`, each with its own title, x labels and lines; the legend (series and
// line names without values) is taken from the first panel, so every panel should name its series
// and lines alike.
struct PanelFigure {
    std::string title, subtitle;
    std::vector<LineFigure> panels;
    int columns = 2;
};

std::string render_svg_panels(const PanelFigure& figure);

}  // namespace probenet::experiments
