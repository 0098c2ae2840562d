// The checks probe_model and predict_rows make before any pass over the data (probe/probe_run.h):
// probes and layers exist, a MASC component count fits each layer's width, and the probes that keep
// the training rows fit in the memory limit. One forward of a single sample gives the widths.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <variant>

#include "probe/layer_stream.h"
#include "probe/probe_registry.h"
#include "probe/probe_run.h"
#include "tensor/error.h"

namespace probenet::probe {

namespace {

std::string gigabytes(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GB", static_cast<double>(bytes) / 1e9);
    return buf;
}

}  // namespace

int64_t available_memory_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    int64_t kb = 0;
    std::string unit;
    while (meminfo >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return 0;
}

std::vector<int64_t> check_probe_config(nn::Module& model, const data::Dataset& train, const ProbeConfig& config) {
    PROBENET_CHECK(!config.layers.empty(), "probe: no layers to probe");
    PROBENET_CHECK(!config.probes.empty(), "probe: no probes given; known probes: ", known_probes());
    PROBENET_CHECK(train.size() > 0, "probe: empty training set");
    for (const Threshold& t : config.options.thresholds) validate(t);
    for (const std::string& l : config.layers)
        if (l != "input") model.find_or_throw(l);
    const size_t L = config.layers.size();
    // Check: every probe can be made (unknown names fail here), and row probes fit in memory.
    std::vector<std::string> row_probes;
    for (const std::string& name : config.probes)
        if (make_probe(name, config.options)->needs_rows()) row_probes.push_back(name);
    std::vector<int64_t> dims(L, 0);
    const bool was_training = model.training();
    model.eval();
    stream_layers(
        "probe check", model, train, config, 1,
        [&](size_t i, const Tensor& rows, int64_t) { dims[i] = rows.dim(1); }, {});
    // A component count above a layer's width would be capped to the width, where every class's
    // subspace is the whole space and MASC scores at chance: refuse it rather than report that.
    if (std::find(config.probes.begin(), config.probes.end(), "masc") != config.probes.end())
        for (const Threshold& t : config.options.thresholds)
            if (const auto* count = std::get_if<ComponentCount>(&t))
                for (size_t i = 0; i < L; ++i)
                    PROBENET_CHECK(count->value <= dims[i], "MASC threshold ", count->value, " asks for ",
                                   count->value, " principal components, but layer ", config.layers[i],
                                   " is only ", dims[i], " wide; give at most ", dims[i],
                                   " components for it (--variance) or a fraction of variance such as 0.99");
    if (!row_probes.empty()) {
        int64_t need = 0;
        std::string per_layer;
        for (size_t i = 0; i < L; ++i) {
            int64_t per_row = dims[i] * 4;  // the run's one float32 copy
            for (const std::string& name : row_probes) per_row += make_probe(name, config.options)->row_bytes(dims[i]);
            need += per_row * train.size();
            per_layer += (per_layer.empty() ? "" : ", ") + config.layers[i] + " (d " + std::to_string(dims[i]) + ")";
        }
        const int64_t limit = config.row_memory_limit > 0 ? config.row_memory_limit
                                                          : static_cast<int64_t>(0.8 * double(available_memory_bytes()));
        std::string names;
        for (const std::string& n : row_probes) names += (names.empty() ? "" : ",") + n;
        PROBENET_CHECK(limit <= 0 || need <= limit, "probes ", names, " keep the training rows: ", train.size(),
                       " rows of layers ", per_layer, " need ", gigabytes(need), ", more than the ", gigabytes(limit),
                       " allowed (--probe-memory GB; default 80% of available memory). Probe fewer --layers, use "
                       "--train-size, or drop ", names, " from --probes");
    }

    model.train(was_training);
    return dims;
}

}  // namespace probenet::probe
