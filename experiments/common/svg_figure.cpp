#include "experiments/common/svg_figure.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace probenet::experiments {

namespace {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '&') out += "&amp;";
        else out += c;
    }
    return out;
}

struct PlotArea {
    double left, top, width, height;
};

void open_svg(std::ostringstream& o, double W, double H, const std::string& title) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                  W, H);
    o << buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.0f\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">", W / 2);
    o << buf << escape(title) << "</text>\n";
}

// Grid, axes, x labels, reference lines and series of one chart in `a`. Names and labels are
// appended as strings, never through the fixed buffer, so no length truncates the markup.
void draw_plot(std::ostringstream& o, const LineFigure& f, const PlotArea& a) {
    char buf[512];
    const size_t n = f.x_labels.size();
    auto x_at = [&](size_t i) { return a.left + (n > 1 ? a.width * double(i) / double(n - 1) : a.width / 2); };
    auto y_at = [&](double v) { return a.top + a.height * (1.0 - v); };
    for (int t = 0; t <= 10; ++t) {  // grid and y ticks
        const double v = t / 10.0, y = y_at(v);
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                      a.left, y, a.left + a.width, y, a.left - 8, y + 4, v);
        o << buf;
    }
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n"
                  "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\" text-anchor=\"middle\">",
                  a.left, a.top, a.width, a.height, a.left - 52, a.top + a.height / 2, a.left - 52,
                  a.top + a.height / 2);
    o << buf << escape(f.y_label) << "</text>\n";
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x_at(i),
                      a.top + a.height + 22);
        o << buf << escape(f.x_labels[i]) << "</text>\n";
    }
    for (const HLine& h : f.hlines) {
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                      "stroke-dasharray=\"%s\"/>\n",
                      a.left, y_at(h.value), a.left + a.width, y_at(h.value), h.color.c_str(), h.dash.c_str());
        o << buf;
    }
    for (const Series& s : f.series) {
        const size_t m = std::min(s.values.size(), n);
        o << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2.5\""
          << (s.dashed ? " stroke-dasharray=\"8,5\"" : "") << " points=\"";
        for (size_t i = 0; i < m; ++i) {
            std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_at(i), y_at(s.values[i]));
            o << buf;
        }
        o << "\"/>\n";
        for (size_t i = 0; i < m && i < s.low.size() && i < s.high.size(); ++i) {  // min–max bars with caps
            const double x = x_at(i), lo = y_at(s.low[i]), hi = y_at(s.high[i]);
            std::snprintf(buf, sizeof buf,
                          "<path d=\"M%.1f,%.1f V%.1f M%.1f,%.1f H%.1f M%.1f,%.1f H%.1f\" stroke=\"%s\" "
                          "stroke-width=\"1.5\" fill=\"none\"/>\n",
                          x, lo, hi, x - 5, lo, x + 5, x - 5, hi, x + 5, s.color.c_str());
            o << buf;
        }
        for (size_t i = 0; i < m; ++i) {
            std::snprintf(buf, sizeof buf,
                          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", x_at(i),
                          y_at(s.values[i]), s.color.c_str());
            o << buf << escape(s.name);
            std::snprintf(buf, sizeof buf, ": %.4f</title></circle>\n", s.values[i]);
            o << buf;
        }
    }
}

// The legend, one entry per line from `top`; returns the y below it. Reference lines show their
// value when `with_values`.
double draw_legend(std::ostringstream& o, const LineFigure& f, double left, double top, bool with_values) {
    char buf[512];
    double y = top;
    for (const Series& s : f.series) {
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>"
                      "<text x=\"%.1f\" y=\"%.1f\">",
                      left, y, left + 36, y, s.color.c_str(), s.dashed ? " stroke-dasharray=\"8,5\"" : "", left + 46,
                      y + 4);
        o << buf << escape(s.name) << "</text>\n";
        y += 22;
    }
    for (const HLine& h : f.hlines) {
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                      "stroke-dasharray=\"%s\"/><text x=\"%.1f\" y=\"%.1f\">",
                      left, y, left + 36, y, h.color.c_str(), h.dash.c_str(), left + 46, y + 4);
        o << buf << escape(h.name);
        if (with_values) {
            std::snprintf(buf, sizeof buf, ": %.4f", h.value);
            o << buf;
        }
        o << "</text>\n";
        y += 22;
    }
    return y;
}

}  // namespace

std::string render_svg(const LineFigure& f) {
    const double W = 780, left = 70, right = 50, top = 50, plot_h = 360;
    const double legend_top = top + plot_h + 60;
    const double H = legend_top + 22.0 * double(f.series.size() + f.hlines.size()) + 20;
    std::ostringstream o;
    open_svg(o, W, H, f.title);
    draw_plot(o, f, {left, top, W - left - right, plot_h});
    draw_legend(o, f, left, legend_top, true);
    o << "</svg>\n";
    return o.str();
}

std::string render_svg_panels(const PanelFigure& f) {
    const int columns = std::max(1, std::min<int>(f.columns, static_cast<int>(std::max<size_t>(1, f.panels.size()))));
    const int rows = static_cast<int>((f.panels.size() + size_t(columns) - 1) / size_t(columns));
    const double panel_w = 470, panel_h = 300, left = 80, right = 30, top = 80, row_gap = 90;
    const double W = std::max(760.0, left + columns * panel_w + right);
    const double legend_top = top + rows * (panel_h + row_gap) + 10;
    const size_t legend_lines = f.panels.empty() ? 0 : f.panels[0].series.size() + f.panels[0].hlines.size();
    const double H = legend_top + 22.0 * double(legend_lines) + 20;
    std::ostringstream o;
    open_svg(o, W, H, f.title);
    char buf[256];
    std::snprintf(buf, sizeof buf, "<text x=\"%.0f\" y=\"48\" text-anchor=\"middle\">", W / 2);
    o << buf << escape(f.subtitle) << "</text>\n";
    for (size_t i = 0; i < f.panels.size(); ++i) {
        const double x = left + double(i % size_t(columns)) * panel_w, y = top + double(i / size_t(columns)) * (panel_h + row_gap);
        const PlotArea area{x, y, panel_w - 90, panel_h};
        std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\">",
                      x + area.width / 2, y - 10);
        o << buf << escape(f.panels[i].title) << "</text>\n";
        draw_plot(o, f.panels[i], area);
    }
    if (!f.panels.empty()) draw_legend(o, f.panels[0], left, legend_top, false);
    o << "</svg>\n";
    return o.str();
}

}  // namespace probenet::experiments
