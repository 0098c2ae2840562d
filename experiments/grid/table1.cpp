#include "experiments/grid/table1.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "experiments/grid/grid_options.h"
#include "experiments/protocols/protocol_registry.h"

namespace probenet::experiments {

namespace {

Spread spread_of(const std::vector<const CellResult*>& runs, const std::function<double(const CellResult&)>& get) {
    Spread s;
    for (const CellResult* c : runs) {
        const double v = get(*c);
        s.min = s.n == 0 ? v : std::min(s.min, v);
        s.max = s.n == 0 ? v : std::max(s.max, v);
        s.mean += v;
        ++s.n;
    }
    if (s.n > 0) s.mean /= s.n;
    return s;
}

std::string joined_distinct(const std::vector<const CellResult*>& runs, const std::function<std::string(const CellResult&)>& get) {
    std::vector<std::string> seen;
    for (const CellResult* c : runs)
        if (std::find(seen.begin(), seen.end(), get(*c)) == seen.end()) seen.push_back(get(*c));
    std::string s;
    for (const std::string& v : seen) s += (s.empty() ? "" : "/") + v;
    return s;
}

double published_at(const PerCorruption& values, double p) {
    for (size_t i = 0; i < kPaperCorruptions.size(); ++i)
        if (std::fabs(kPaperCorruptions[i] - p) < 1e-9) return values[i];
    return kUnpublished;
}

std::string number(double v, const char* format) {
    if (std::isnan(v)) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// "0.7437" for one run, "0.7437 [0.7301–0.7512]" for several.
std::string with_range(const Spread& s, const char* format) {
    if (s.n == 0) return "";
    std::string out = number(s.mean, format);
    if (s.n > 1) out += " [" + number(s.min, format) + "–" + number(s.max, format) + "]";
    return out;
}

std::string joined_runs(const std::vector<int>& runs, const char* separator) {
    std::string s;
    for (int run : runs) s += (s.empty() ? "" : separator) + std::to_string(run);
    return s;
}

std::string md_or_dash(const std::string& s) { return s.empty() ? "—" : s; }

}  // namespace

std::vector<Table1Row> table1_rows(const std::vector<CellResult>& cells) {
    std::vector<Table1Row> rows;
    for (const std::string& pair : protocol_names()) {
        std::map<double, std::vector<const CellResult*>> by_p;
        for (const CellResult& c : cells)
            if (c.pair == pair) by_p[c.corrupt].push_back(&c);
        if (by_p.empty()) continue;
        const PublishedNumbers published = protocol_named(pair).published;
        for (const auto& [p, runs] : by_p) {
            Table1Row r;
            r.pair = pair;
            r.corrupt = p;
            std::set<int64_t> sizes;
            for (const CellResult* c : runs) {
                r.runs.push_back(c->run);
                sizes.insert(c->train_size);
            }
            for (int64_t s : sizes) r.train_size += (r.train_size.empty() ? "" : "/") + std::to_string(s);
            if (sizes.size() > 1) r.train_size = "mixed (" + r.train_size + ")";
            r.epochs = spread_of(runs, [](const CellResult& c) { return double(c.epochs); });
            r.model_test = spread_of(runs, [](const CellResult& c) { return c.model_test; });
            r.masc_corrupted = spread_of(runs, [](const CellResult& c) { return c.best_corrupted; });
            r.masc_true = spread_of(runs, [](const CellResult& c) { return c.best_true; });
            r.gain = r.model_test.mean > 0 ? r.masc_corrupted.mean / r.model_test.mean - 1.0 : kUnpublished;
            r.best_corrupted_layers = joined_distinct(runs, [](const CellResult& c) { return c.best_corrupted_layer; });
            r.best_true_layers = joined_distinct(runs, [](const CellResult& c) { return c.best_true_layer; });
            r.authors_model_test = published_at(published.model_test, p);
            r.authors_masc_corrupted = published_at(published.masc_corrupted, p);
            r.authors_masc_true = published_at(published.masc_true, p);
            r.authors_gain = published_at(published.relative_gain, p);
            rows.push_back(r);
        }
    }
    return rows;
}

std::string table1_csv(const std::vector<Table1Row>& rows) {
    std::string out =
        "pair,p,runs,train_size,epochs_mean,"
        "model_test_mean,model_test_min,model_test_max,model_test_authors,model_test_diff,"
        "masc_corrupted_mean,masc_corrupted_min,masc_corrupted_max,masc_corrupted_authors,masc_corrupted_diff,"
        "masc_corrupted_best_layers,gain,gain_authors,gain_diff,"
        "masc_true_mean,masc_true_min,masc_true_max,masc_true_authors,masc_true_diff,masc_true_best_layers\n";
    const auto f = [](double v) { return number(v, "%.4f"); };
    const auto diff = [&](double ours, double authors) { return std::isnan(authors) ? std::string() : f(ours - authors); };
    for (const Table1Row& r : rows) {
        out += r.pair + "," + corruption_text(r.corrupt) + "," + joined_runs(r.runs, " ") + "," + r.train_size + "," +
               number(r.epochs.mean, "%.1f") + "," + f(r.model_test.mean) + "," + f(r.model_test.min) + "," +
               f(r.model_test.max) + "," + f(r.authors_model_test) + "," + diff(r.model_test.mean, r.authors_model_test) +
               "," + f(r.masc_corrupted.mean) + "," + f(r.masc_corrupted.min) + "," + f(r.masc_corrupted.max) + "," +
               f(r.authors_masc_corrupted) + "," + diff(r.masc_corrupted.mean, r.authors_masc_corrupted) + "," +
               r.best_corrupted_layers + "," + f(r.gain) + "," + f(r.authors_gain) + "," + diff(r.gain, r.authors_gain) +
               "," + f(r.masc_true.mean) + "," + f(r.masc_true.min) + "," + f(r.masc_true.max) + "," +
               f(r.authors_masc_true) + "," + diff(r.masc_true.mean, r.authors_masc_true) + "," + r.best_true_layers +
               "\n";
    }
    return out;
}

std::string table1_markdown(const std::vector<Table1Row>& rows) {
    std::string out =
        "# Table 1, reproduced\n\n"
        "Per pair and corruption degree p, over the runs present: the model's test accuracy, the best layer's MASC "
        "test accuracy with corrupted-label and with true-label subspaces (each run's best layer; mean, [min–max] "
        "over runs), and the relative gain of the corrupted-label best layer over the model, mean(MASC) / "
        "mean(model) − 1 (the paper's Table 1). Beside each, the authors' published value (mean of their 3 runs on "
        "the full training set; — where they publish none) and ours minus theirs. Written by ./experiments/paper.\n\n"
        "| pair | p | runs | train size | epochs | model test | authors | Δ | MASC best, corrupted-label subspaces | "
        "authors | Δ | gain over model | authors (Table 1) | Δ | MASC best, true-label subspaces | authors | Δ |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    const auto diff = [](double ours, double authors, const char* format) {
        return std::isnan(authors) ? std::string("—") : number(ours - authors, format);
    };
    for (const Table1Row& r : rows) {
        const std::string runs = joined_runs(r.runs, ", ");
        const std::string gain = std::isnan(r.gain) ? "—" : number(100 * r.gain, "%+.1f %%");
        out += "| " + r.pair + " | " + corruption_text(r.corrupt) + " | " + runs + " | " + r.train_size + " | " +
               with_range(r.epochs, "%.0f") + " | " + with_range(r.model_test, "%.4f") + " | " +
               md_or_dash(number(r.authors_model_test, "%.4f")) + " | " +
               diff(r.model_test.mean, r.authors_model_test, "%+.4f") + " | " + with_range(r.masc_corrupted, "%.4f") +
               " (" + r.best_corrupted_layers + ") | " + md_or_dash(number(r.authors_masc_corrupted, "%.3f")) + " | " +
               diff(r.masc_corrupted.mean, r.authors_masc_corrupted, "%+.4f") + " | " + gain + " | " +
               md_or_dash(std::isnan(r.authors_gain) ? "" : number(100 * r.authors_gain, "%+.2f %%")) + " | " +
               (std::isnan(r.authors_gain) || std::isnan(r.gain) ? "—" : number(100 * (r.gain - r.authors_gain), "%+.1f pts")) +
               " | " + with_range(r.masc_true, "%.4f") + " (" + r.best_true_layers + ") | " +
               md_or_dash(number(r.authors_masc_true, "%.3f")) + " | " + diff(r.masc_true.mean, r.authors_masc_true, "%+.4f") +
               " |\n";
    }
    return out;
}

}  // namespace probenet::experiments
