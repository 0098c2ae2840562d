#include "experiments/common/train_state.h"

#include <limits>

#include "nn/checkpoint.h"
#include "nn/safetensors.h"
#include "tensor/error.h"
#include "tensor/parse_number.h"

namespace probenet::experiments {

namespace {
const std::string kModel = "model.";
const std::string kOptimizer = "optimizer.";
}  // namespace

void save_train_state(const std::string& path, const nn::Module& model, const optim::Optimizer& optimizer, int epoch,
                      const RunIdentity& identity) {
    nn::NamedTensors tensors = nn::parameter_tensors(model, kModel);
    const optim::OptimizerState state = optimizer.state();
    for (const auto& [name, tensor] : state.tensors) tensors.emplace_back(kOptimizer + name, tensor);
    std::map<std::string, std::string> metadata = identity;
    metadata["epoch"] = std::to_string(epoch);
    for (const auto& [key, value] : state.values) metadata[kOptimizer + key] = value;
    nn::write_safetensors(path, tensors, metadata);
}

int load_train_state(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                     const RunIdentity& identity) {
    const nn::SafetensorsFile file = nn::read_safetensors(path);
    std::string differences;
    for (const auto& [key, value] : identity) {
        const auto it = file.metadata.find(key);
        const std::string saved = it == file.metadata.end() ? "(absent)" : it->second;
        if (saved != value) differences += "\n  " + key + ": " + saved + " in the file, " + value + " now";
    }
    PROBENET_CHECK(differences.empty(), "cannot resume from '", path, "': it belongs to another run:", differences,
                   "\n(resume with the same flags, or start a new run in another --out folder)");
    const auto epoch = file.metadata.find("epoch");
    PROBENET_CHECK(epoch != file.metadata.end(), "'", path, "' has no epoch count; it is not a training state");

    nn::assign_parameters(model, file.tensors, path, kModel);
    optim::OptimizerState state;
    for (const auto& [name, tensor] : file.tensors)
        if (name.compare(0, kOptimizer.size(), kOptimizer) == 0) state.tensors[name.substr(kOptimizer.size())] = tensor;
    for (const auto& [key, value] : file.metadata)
        if (key.compare(0, kOptimizer.size(), kOptimizer) == 0) state.values[key.substr(kOptimizer.size())] = value;
    optimizer.load_state(state);
    const int64_t epochs = parse_whole_number(epoch->second, "'" + path + "', metadata 'epoch'");
    PROBENET_CHECK(epochs <= std::numeric_limits<int>::max(), "'", path, "': epoch count ", epochs, " is too large");
    return static_cast<int>(epochs);
}

}  // namespace probenet::experiments
