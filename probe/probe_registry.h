// The probes --probes can name. Each lives in its own file (probe/<name>_probe.cpp) and defines
//   std::unique_ptr<Probe> make_<name>_probe(const ProbeOptions&);
// and is listed by one line in PROBENET_PROBES (probe/probe_registry.cpp). That is all it takes to
// add one.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "probe/probe.h"

namespace probenet::probe {

struct ProbeKind {
    std::string name;         // as --probes writes it, e.g. "ncm"
    std::string description;  // one line for --help and errors
    std::unique_ptr<Probe> (*make)(const ProbeOptions&);
};

// Every registered probe, in registration order.
const std::vector<ProbeKind>& probe_kinds();

// "masc, knn" → {"masc", "knn"}: split at commas, spaces trimmed, duplicates dropped, order kept.
// Throws probenet::Error naming the unknown entry and listing the known probes.
std::vector<std::string> parse_probe_names(std::string_view list);

// Throws like parse_probe_names for an unknown name.
std::unique_ptr<Probe> make_probe(const std::string& name, const ProbeOptions& options);

// "masc (…), ncm (…), …": the known probes with their descriptions, for messages and --help.
std::string known_probes();

}  // namespace probenet::probe
