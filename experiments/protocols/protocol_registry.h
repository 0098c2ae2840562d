// The protocol registry: every model–dataset pair of the paper, by name. Each pair's Protocol (its
// model, data, training, probed layers, the authors' published numbers and a cost estimate) is one
// file, experiments/protocols/<name>.cpp, defining `Protocol <name>_protocol()`; the list in
// protocol_registry.cpp registers it with one line. The pair's main
// (experiments/<name>.cpp) and the paper grid (experiments/paper.cpp) look it up by name.
#pragma once

#include <string>
#include <vector>

#include "experiments/common/protocol.h"

namespace probenet::experiments {

// The registered names, in the paper's order (MLP–MNIST first, AlexNet–Tiny ImageNet last).
const std::vector<std::string>& protocol_names();

// The protocol registered as `name`; throws probenet::Error listing the registered names.
Protocol protocol_named(const std::string& name);

}  // namespace probenet::experiments
