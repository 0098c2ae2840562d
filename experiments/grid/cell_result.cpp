#include "experiments/grid/cell_result.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "experiments/protocols/protocol_registry.h"
#include "tensor/error.h"
#include "tensor/parse_number.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

namespace {

// An integer field, checked before conversion (json_whole_number): get<int> static_casts a float, which is
// undefined behaviour past int's range (a summary.json with "run": 1e300).
int64_t integer_field(const nlohmann::json& j, const char* key, int64_t max) {
    return static_cast<int64_t>(json_whole_number(j.at(key), static_cast<uint64_t>(max), "\"" + std::string(key) + "\""));
}

}  // namespace

CellResult read_cell_result(const std::string& folder) {
    const std::string path = (fs::path(folder) / "summary.json").string();
    std::ifstream in(path);
    PROBENET_CHECK(in.good(), path, ": cannot be read");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
        CellResult c;
        c.folder = folder;
        c.pair = j.at("experiment").get<std::string>();
        c.corrupt = j.at("corrupt").get<double>();
        c.run = static_cast<int>(integer_field(j, "run", INT32_MAX));
        c.train_size = integer_field(j, "train_size", INT64_MAX);
        c.epochs = static_cast<int>(integer_field(j, "epochs_trained", INT32_MAX));
        const nlohmann::json& model = j.at("model");
        c.model_test = model.at("test_acc").get<double>();
        c.model_train_corrupt = model.at("train_acc_corrupt").get<double>();
        c.model_train_true = model.at("train_acc_true").get<double>();
        std::string threshold;
        bool have_threshold = false;
        for (const nlohmann::json& l : j.at("layers")) {
            if (l.at("probe").get<std::string>() != "masc") continue;
            if (!have_threshold) {
                threshold = l.at("threshold").get<std::string>();
                have_threshold = true;
            }
            if (l.at("threshold").get<std::string>() != threshold) continue;
            const std::string name = l.at("layer").get<std::string>();
            auto it = std::find_if(c.layers.begin(), c.layers.end(), [&](const LayerResult& r) { return r.layer == name; });
            if (it == c.layers.end()) {
                c.layers.push_back({name, l.at("label").get<std::string>(), 0, 0, 0, 0});
                it = c.layers.end() - 1;
            }
            const std::string fit = l.at("subspaces").get<std::string>();
            if (fit == "corrupted") {
                it->test_corrupted = l.at("test").get<double>();
                it->train_vs_corrupted = l.at("train").at("corrupted").get<double>();
                it->train_vs_true = l.at("train").at("true").get<double>();
            } else if (fit == "true") {
                it->test_true = l.at("test").get<double>();
            }
        }
        PROBENET_CHECK(have_threshold, "no MASC layers");
        const auto label_of = [&](const std::string& layer) {
            for (const LayerResult& r : c.layers)
                if (r.layer == layer) return r.label;
            return layer;
        };
        bool best_corrupted = false, best_true = false;
        for (const nlohmann::json& b : j.at("best_layer")) {
            if (b.at("probe").get<std::string>() != "masc" || b.at("threshold").get<std::string>() != threshold) continue;
            const std::string fit = b.at("subspaces").get<std::string>();
            if (fit == "corrupted") {
                c.best_corrupted = b.at("test").get<double>();
                c.best_corrupted_layer = label_of(b.at("layer").get<std::string>());
                best_corrupted = true;
            } else if (fit == "true") {
                c.best_true = b.at("test").get<double>();
                c.best_true_layer = label_of(b.at("layer").get<std::string>());
                best_true = true;
            }
        }
        PROBENET_CHECK(best_corrupted && best_true, "no best MASC layer for both label sets");
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": not a probenet summary (" + e.what() + ")");
    } catch (const Error& e) {
        throw Error(path + ": " + e.what());
    }
}

std::vector<CellResult> read_cell_results(const std::string& out, std::vector<std::string>& problems) {
    std::vector<CellResult> cells;
    std::error_code ec;
    for (const std::string& pair : protocol_names()) {
        const fs::path root = fs::path(out) / pair;
        if (!fs::is_directory(root, ec)) continue;
        std::vector<CellResult> found;
        for (const fs::directory_entry& p_dir : fs::directory_iterator(root, ec)) {
            if (!p_dir.is_directory() || p_dir.path().filename().string().rfind("p", 0) != 0) continue;
            for (const fs::directory_entry& run_dir : fs::directory_iterator(p_dir.path(), ec)) {
                if (!run_dir.is_directory() || !fs::exists(run_dir.path() / "summary.json")) continue;
                try {
                    found.push_back(read_cell_result(run_dir.path().string()));
                } catch (const Error& e) {
                    problems.push_back(e.what());
                }
            }
        }
        std::sort(found.begin(), found.end(), [](const CellResult& a, const CellResult& b) {
            return a.corrupt != b.corrupt ? a.corrupt < b.corrupt : a.run < b.run;
        });
        cells.insert(cells.end(), found.begin(), found.end());
    }
    return cells;
}

}  // namespace probenet::experiments
