#include "probe/probe_registry.h"

#include <algorithm>

#include "tensor/error.h"

namespace probenet::probe {

// One line per probe: X(name, description), ending in a backslash. name makes the --probes entry and
// the factory make_<name>_probe, defined in probe/<name>_probe.cpp.
#define PROBENET_PROBES(X)                                                                                   \
    X(masc, "MASC: minimum angle to per-class PCA subspaces (the paper's probe; --variance)")                \
    X(ncm, "nearest class mean: cosine similarity to the L2-normalised class means")                         \
    X(knn, "k-nearest neighbours (k = 5), cosine, majority vote; holds the training rows")                   \
    X(lda, "linear discriminant analysis as scikit-learn's default (SVD solver, no shrinkage)")              \
    X(qda, "quadratic discriminant analysis as scikit-learn's default (--qda-reg, default 0)")               \
    X(linear, "linear probe: Linear(d, K), cross-entropy, Adam 1e-3, 20 epochs, batch 128; holds the rows")    \
    X(majority, "chance baseline: the most frequent class of the label set, for every row")                  \
    /* one line per probe, above this one */

#define PROBENET_DECLARE_PROBE(name, description) std::unique_ptr<Probe> make_##name##_probe(const ProbeOptions&);
PROBENET_PROBES(PROBENET_DECLARE_PROBE)
#undef PROBENET_DECLARE_PROBE

const std::vector<ProbeKind>& probe_kinds() {
#define PROBENET_PROBE_KIND(name, description) ProbeKind{#name, description, &make_##name##_probe},
    static const std::vector<ProbeKind> kinds = {PROBENET_PROBES(PROBENET_PROBE_KIND)};
#undef PROBENET_PROBE_KIND
    return kinds;
}

std::string known_probes() {
    std::string out;
    for (const ProbeKind& k : probe_kinds()) out += (out.empty() ? "" : ", ") + k.name;
    return out;
}

namespace {
const ProbeKind& kind_of(const std::string& name) {
    for (const ProbeKind& k : probe_kinds())
        if (k.name == name) return k;
    throw Error("unknown probe '" + name + "'; known probes: " + known_probes());
}

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}
}  // namespace

std::vector<std::string> parse_probe_names(std::string_view list) {
    std::vector<std::string> names;
    size_t begin = 0;
    while (begin <= list.size()) {
        const size_t end = std::min(list.find(',', begin), list.size());
        const std::string name = trimmed(list.substr(begin, end - begin));
        begin = end + 1;
        if (name.empty()) continue;
        kind_of(name);
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    PROBENET_CHECK(!names.empty(), "--probes '", std::string(list), "' names no probe; known probes: ", known_probes());
    return names;
}

std::unique_ptr<Probe> make_probe(const std::string& name, const ProbeOptions& options) {
    return kind_of(name).make(options);
}

}  // namespace probenet::probe
