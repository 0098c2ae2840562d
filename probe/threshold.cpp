#include "probe/threshold.h"

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "tensor/error.h"

namespace probenet::probe {

namespace {
constexpr const char* kAccepted =
    "give a variance fraction in (0, 1) such as 0.99, or a whole number of components >= 1 such as 5";
}

Threshold parse_threshold(std::string_view text) {
    const std::string s(text);
    PROBENET_CHECK(!s.empty(), "probe threshold: empty text; ", kAccepted);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    PROBENET_CHECK(end == s.c_str() + s.size() && errno == 0 && std::isfinite(v), "probe threshold: '", s,
                   "' is not a finite number; ", kAccepted);
    if (v > 0.0 && v < 1.0) return VarianceFraction{v};
    PROBENET_CHECK(v >= 1.0 && v == std::floor(v) && v <= 1e9, "probe threshold: '", s,
                   "' is neither a fraction in (0, 1) nor a whole number >= 1; ", kAccepted);
    return ComponentCount{static_cast<int64_t>(v)};
}

std::vector<Threshold> parse_threshold_list(std::string_view text) {
    std::vector<Threshold> out;
    std::vector<std::string> seen;
    size_t begin = 0, position = 1;
    while (begin <= text.size()) {
        const size_t end = std::min(text.find(',', begin), text.size());
        std::string entry(text.substr(begin, end - begin));
        entry.erase(0, entry.find_first_not_of(" \t"));
        entry.erase(entry.find_last_not_of(" \t") + 1);
        begin = end + 1;
        Threshold t;
        try {
            t = parse_threshold(entry);
        } catch (const Error& e) {
            throw Error("--variance '" + std::string(text) + "': entry " + std::to_string(position) + " ('" + entry +
                        "') is invalid: " + e.what());
        }
        ++position;
        const std::string canonical = to_string(t);
        if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) continue;
        seen.push_back(canonical);
        out.push_back(t);
    }
    return out;
}

std::string to_string(const Threshold& threshold) {
    if (const auto* f = std::get_if<VarianceFraction>(&threshold)) {
        char buf[32];
        const auto end = std::to_chars(buf, buf + sizeof buf, f->value).ptr;  // shortest text that reads back
        return std::string(buf, end);
    }
    return std::to_string(std::get<ComponentCount>(threshold).value);
}

void validate(const Threshold& threshold) {
    if (const auto* f = std::get_if<VarianceFraction>(&threshold)) {
        PROBENET_CHECK(f->value > 0.0 && f->value < 1.0, "probe threshold: variance fraction ", f->value,
                       " is outside (0, 1); ", kAccepted);
    } else {
        PROBENET_CHECK(std::get<ComponentCount>(threshold).value >= 1, "probe threshold: component count ",
                       std::get<ComponentCount>(threshold).value, " is below 1; ", kAccepted);
    }
}

int64_t components_to_keep(const double* eigenvalues_desc, int64_t count, int64_t rank_cap,
                           const Threshold& threshold) {
    validate(threshold);
    PROBENET_CHECK(count >= 0 && rank_cap >= 0 && rank_cap <= count, "components_to_keep: rank cap ", rank_cap,
                   " must lie in [0, ", count, "] (the number of eigenvalues)");
    double total = 0.0;
    for (int64_t i = 0; i < count; ++i) {
        PROBENET_CHECK(eigenvalues_desc[i] >= 0.0 && (i == 0 || eigenvalues_desc[i] <= eigenvalues_desc[i - 1]),
                       "components_to_keep: eigenvalues must be clipped to >= 0 and sorted descending (index ", i,
                       ")");
        total += eigenvalues_desc[i];
    }
    if (!(total > 0.0)) return 0;  // no variance: nothing to keep
    int64_t k;
    if (const auto* f = std::get_if<VarianceFraction>(&threshold)) {
        int64_t at_or_below = 0;
        double cumulative = 0.0;
        for (int64_t i = 0; i < count; ++i) {
            cumulative += eigenvalues_desc[i] / total;
            if (cumulative <= f->value) ++at_or_below;
        }
        k = 1 + at_or_below;
    } else {
        k = std::get<ComponentCount>(threshold).value;
    }
    return std::min(k, rank_cap);
}

}  // namespace probenet::probe
