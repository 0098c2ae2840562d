#include "experiments/common/svg_figure.h"

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

}  // namespace

// Names and labels are appended as strings, never through the fixed buffer, so no length truncates
// the markup.
std::string render_svg(const LineFigure& f) {
    const double W = 780, left = 70, right = 50, top = 50, plot_h = 360;
    const double legend_top = top + plot_h + 60;
    const double H = legend_top + 22.0 * double(f.series.size() + f.hlines.size()) + 20;
    const double plot_w = W - left - right;
    const size_t n = f.x_labels.size();
    auto x_at = [&](size_t i) { return left + (n > 1 ? plot_w * double(i) / double(n - 1) : plot_w / 2); };
    auto y_at = [&](double v) { return top + plot_h * (1.0 - v); };
    std::ostringstream o;
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                  "font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                  W, H);
    o << buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.0f\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">", W / 2);
    o << buf << escape(f.title) << "</text>\n";
    for (int t = 0; t <= 10; ++t) {  // grid and y ticks
        const double v = t / 10.0, y = y_at(v);
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                      left, y, left + plot_w, y, left - 8, y + 4, v);
        o << buf;
    }
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n"
                  "<text x=\"18\" y=\"%.1f\" transform=\"rotate(-90 18 %.1f)\" text-anchor=\"middle\">",
                  left, top, plot_w, plot_h, top + plot_h / 2, top + plot_h / 2);
    o << buf << escape(f.y_label) << "</text>\n";
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x_at(i),
                      top + plot_h + 22);
        o << buf << escape(f.x_labels[i]) << "</text>\n";
    }
    for (const HLine& h : f.hlines) {
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                      "stroke-dasharray=\"2,4\"/>\n",
                      left, y_at(h.value), left + plot_w, y_at(h.value), h.color.c_str());
        o << buf;
    }
    for (const Series& s : f.series) {
        o << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2.5\""
          << (s.dashed ? " stroke-dasharray=\"8,5\"" : "") << " points=\"";
        for (size_t i = 0; i < s.values.size() && i < n; ++i) {
            std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x_at(i), y_at(s.values[i]));
            o << buf;
        }
        o << "\"/>\n";
        for (size_t i = 0; i < s.values.size() && i < n; ++i) {
            std::snprintf(buf, sizeof buf,
                          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>", x_at(i),
                          y_at(s.values[i]), s.color.c_str());
            o << buf << escape(s.name);
            std::snprintf(buf, sizeof buf, ": %.4f</title></circle>\n", s.values[i]);
            o << buf;
        }
    }
    double y = legend_top;
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
                      "stroke-dasharray=\"2,4\"/><text x=\"%.1f\" y=\"%.1f\">",
                      left, y, left + 36, y, h.color.c_str(), left + 46, y + 4);
        o << buf << escape(h.name);
        std::snprintf(buf, sizeof buf, ": %.4f</text>\n", h.value);
        o << buf;
        y += 22;
    }
    o << "</svg>\n";
    return o.str();
}

}  // namespace probenet::experiments
