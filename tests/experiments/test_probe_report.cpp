// The probe's outputs for a small hand-made ProbeResult (two layers, MASC at two thresholds and NCM,
// fit on two label sets): the printed table has one block per probe and threshold with each layer's
// numbers and the best layer, layers.csv has one line per report, summary.json names the best layer,
// and the figure is well-formed SVG with one series per label set and labelled axes. The stop rule
// compares the running train accuracy with the target.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "data/idx_test_files.h"
#include "experiments/common/probe_report.h"
#include "experiments/common/svg_figure.h"
#include "experiments/common/trainer.h"

using namespace probenet;
using namespace probenet::experiments;
using Catch::Contains;

namespace {

probe::LayerReport report(const std::string& layer, int64_t dim, const std::string& probe_name,
                          const std::string& threshold, const std::string& fit, double train_c, double train_t,
                          double test) {
    probe::LayerReport r;
    r.layer = layer;
    r.dim = dim;
    r.probe = probe_name;
    r.threshold = threshold;
    r.subspaces = fit;
    if (probe_name == "masc") r.k_per_class = {3, 4};
    r.train = {train_c, train_t};
    r.test = test;
    return r;
}

probe::ProbeResult small_result() {
    probe::ProbeResult r;
    r.label_sets = {"corrupted", "true"};
    for (const std::string fit : {"corrupted", "true"}) {
        const double bonus = fit == "true" ? 0.05 : 0.0;
        r.reports.push_back(report("input", 8, "masc", "0.99", fit, 0.41, 0.62, 0.6100 + bonus));
        r.reports.push_back(report("fc1", 4, "masc", "0.99", fit, 0.52, 0.71, 0.7300 + bonus));
        r.reports.push_back(report("input", 8, "masc", "2", fit, 0.30, 0.40, 0.3500 + bonus));
        r.reports.push_back(report("fc1", 4, "masc", "2", fit, 0.33, 0.44, 0.3300 + bonus));
        r.reports.push_back(report("input", 8, "ncm", "", fit, 0.20, 0.25, 0.2500 + bonus));
        r.reports.push_back(report("fc1", 4, "ncm", "", fit, 0.21, 0.26, 0.2800 + bonus));
    }
    r.model_train_corrupt = 0.9;
    r.model_train_true = 0.3;
    r.model_test = 0.5;
    r.notes = {"layer fc1, ncm: a note"};
    return r;
}

ProbeContext small_context() {
    ProbeContext c;
    c.experiment = "tiny_mlp";
    c.corrupt = 0.8;
    c.seed = 3;
    c.epochs_trained = 2;
    c.thresholds = "0.99,2";
    c.source = "trained";
    c.train_size = 10;
    c.test_size = 5;
    c.running_train_acc = 0.95;
    c.labels = {{"fc1", "FC(4)"}};
    return c;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Well-formed XML for what render_svg writes: every tag closed in order, attributes quoted, no stray
// '<' or unescaped '&' in text. Returns "" or what is wrong.
std::string xml_problem(const std::string& xml) {
    std::vector<std::string> open;
    size_t i = 0;
    while (i < xml.size()) {
        if (xml[i] == '&') {
            const size_t semi = xml.find(';', i);
            const std::string entity = xml.substr(i, semi == std::string::npos ? 5 : semi - i + 1);
            if (entity != "&lt;" && entity != "&gt;" && entity != "&amp;" && entity != "&quot;")
                return "bad entity at " + std::to_string(i);
            ++i;
            continue;
        }
        if (xml[i] != '<') {
            ++i;
            continue;
        }
        const size_t end = xml.find('>', i);
        if (end == std::string::npos) return "unclosed tag at " + std::to_string(i);
        std::string tag = xml.substr(i + 1, end - i - 1);
        if (tag.find('<') != std::string::npos) return "'<' inside a tag at " + std::to_string(i);
        size_t quotes = 0;
        for (char c : tag) quotes += c == '"';
        if (quotes % 2) return "unbalanced quotes in <" + tag + ">";
        if (tag.rfind('/', 0) == 0) {
            const std::string name = tag.substr(1);
            if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
            open.pop_back();
        } else if (tag.empty() || tag.back() != '/') {
            open.push_back(tag.substr(0, tag.find(' ')));
        }
        i = end + 1;
    }
    if (!open.empty()) return "<" + open.back() + "> never closed";
    return "";
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("probe_table prints one block per probe and threshold, each layer's numbers and the best layer",
          "[experiments][report]") {
    const std::string table = probe_table(small_context(), small_result());
    INFO(table);
    CHECK(count(table, "masc, threshold 0.99:") == 1);
    CHECK(count(table, "masc, threshold 2:") == 1);
    CHECK(count(table, "\nncm:") == 1);
    CHECK_THAT(table, Contains("FC(4)") && Contains("train/corr ") && Contains("train/true"));
    CHECK_THAT(table, Contains("0.7300") && Contains("0.7800") && Contains("0.5200"));
    // 0.78 on true labels vs the model's 0.5: +56 %.
    CHECK_THAT(table, Contains("best layer, masc 0.99 fit on true labels: FC(4), test 0.7800 vs the model's 0.5000 "
                               "(+56.00%)"));
    CHECK_THAT(table, Contains("best layer, ncm fit on corrupted labels: FC(4), test 0.2800"));
    CHECK_THAT(table, Contains("model itself: train vs corrupted labels 0.9000, vs true labels 0.3000, test 0.5000"));
    CHECK_THAT(table, Contains("running train accuracy of the last epoch (the stop rule's figure): 0.9500"));
    CHECK_THAT(table, Contains("note: layer fc1, ncm: a note"));
    CHECK_THAT(table, !Contains("float64 rescored"));  // only MASC in float32 reports it
}

TEST_CASE("probe_table and summary.json give MASC's rows rescored in float64, layers.csv does not",
          "[experiments][report]") {
    probe::ProbeResult result = small_result();
    for (probe::LayerReport& r : result.reports)
        if (r.probe == "masc") r.rescored_rows = r.layer == "fc1" ? 3 : 0;
    const std::string table = probe_table(small_context(), result);
    INFO(table);
    CHECK(count(table, "float64 rescored") == 2);  // the two MASC blocks; the ncm block has no column
    CHECK_THAT(table, Contains("3 (20.0%)") && Contains("0 (0.0%)"));  // of 10 + 5 rows
    data::testing::TempDir dir;
    write_probe_files(dir.path.string(), small_context(), result);
    CHECK_THAT(slurp(dir.file("layers.csv")), !Contains("rescored"));
    const auto summary = nlohmann::json::parse(slurp(dir.file("summary.json")));
    for (const auto& layer : summary["layers"])
        CHECK(layer.contains("rescored_float64") == (layer["probe"] == "masc"));
}

TEST_CASE("write_probe_files writes layers.csv, summary.json and a well-formed figure", "[experiments][report]") {
    data::testing::TempDir dir;
    const probe::ProbeResult result = small_result();
    write_probe_files(dir.path.string(), small_context(), result);

    const std::string csv = slurp(dir.file("layers.csv"));
    CHECK(count(csv, "\n") == result.reports.size() + 1);
    CHECK(csv.rfind("layer,dim,probe,threshold,subspaces,k_total,k_per_class,zero_rows,train_corrupted,train_true,"
                    "test\n", 0) == 0);
    CHECK_THAT(csv, Contains("fc1,4,masc,0.99,true,7,3;4,0,0.52"));

    const auto summary = nlohmann::json::parse(slurp(dir.file("summary.json")));
    CHECK(summary["experiment"] == "tiny_mlp");
    CHECK(summary["layers"].size() == result.reports.size());
    CHECK(summary["model"]["test_acc"] == 0.5);
    bool found = false;
    for (const auto& b : summary["best_layer"])
        if (b["probe"] == "masc" && b["threshold"] == "0.99" && b["subspaces"] == "true") {
            found = true;
            CHECK(b["layer"] == "fc1");
            const double gain = b["relative_gain"];
            CHECK(gain == Approx(0.56));
        }
    CHECK(found);

    const std::string svg = slurp(dir.file("layer_accuracy.svg"));
    INFO(svg);
    CHECK(xml_problem(svg).empty());
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    // Series: per (probe, threshold) one test line per label set, plus MASC 0.99's train lines vs each
    // label set; 3 blocks × 2 sets + 2 = 8 polylines, each with one marker per layer.
    CHECK(count(svg, "<polyline") == 8);
    CHECK(count(svg, "<circle") == 8 * 2);
    for (const std::string fit : {"corrupted", "true"}) {
        CHECK(count(svg, "masc 0.99 test (fit on " + fit + " labels)</text>") == 1);
        CHECK(count(svg, "ncm test (fit on " + fit + " labels)</text>") == 1);
    }
    CHECK_THAT(svg, Contains(">input</text>") && Contains(">FC(4)</text>"));  // x axis: the layers
    CHECK_THAT(svg, Contains(">accuracy</text>") && Contains(">1.0</text>") && Contains(">0.0</text>"));  // y axis
    CHECK_THAT(svg, Contains("tiny_mlp, p = 0.80: probe accuracy per layer"));
}

TEST_CASE("render_svg escapes names and stays well-formed with long ones", "[experiments][report]") {
    LineFigure f;
    f.title = "a <b> & c";
    f.y_label = "accuracy";
    f.x_labels = {"x<1>", "x&2"};
    f.series.push_back({std::string(600, 'n') + " & <long>", "#000000", true, {0.25, 0.75}});
    f.hlines.push_back({"model & <test>", "#111111", 0.5});
    const std::string svg = render_svg(f);
    INFO(svg);
    CHECK(xml_problem(svg).empty());
    CHECK_THAT(svg, Contains("a &lt;b&gt; &amp; c") && Contains("x&lt;1&gt;") && Contains("x&amp;2"));
    CHECK(count(svg, "<polyline") == 1);
}

TEST_CASE("meets_stop_rule: the running train accuracy on the corrupted labels reaches the target",
          "[experiments][report]") {
    EpochStats e;
    e.running_acc_true = 1.0;  // the true-label accuracy is not the stop rule's figure
    e.running_acc_corrupt = 0.998;
    CHECK_FALSE(meets_stop_rule(e, 0.999));
    e.running_acc_corrupt = 0.999;
    CHECK(meets_stop_rule(e, 0.999));  // reaching it is enough
    e.running_acc_corrupt = 1.0;
    CHECK(meets_stop_rule(e, 0.999));
    e.running_acc_corrupt = 0.0;
    CHECK(meets_stop_rule(e, 0.0));
}
