#include "nn/summary.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "autograd/grad_mode.h"

namespace probenet::nn {

std::string summary(Module& model, const Shape& sample_shape) {
    std::map<const Module*, Shape> shapes;
    std::vector<HookHandle> handles;
    const std::vector<Module*> modules = model.descendants();
    for (Module* m : modules)
        handles.push_back(m->register_forward_hook([&](const Module& mod, const Tensor& y) { shapes[&mod] = y.shape(); }));
    const bool was_training = model.training();
    model.eval();
    Shape batch_shape{1};
    batch_shape.insert(batch_shape.end(), sample_shape.begin(), sample_shape.end());
    Device device = Device::CPU;
    if (auto params = model.parameters(); !params.empty()) device = params.front().value().device();
    {
        autograd::NoGradGuard no_grad;
        model(Var(Tensor::zeros(batch_shape, device)));
    }
    model.train(was_training);

    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "%-22s %-11s %-22s %-16s %12s\n", "layer", "type", "", "output", "params");
    out << line;
    int64_t own_total = 0;
    for (Module* m : modules) {
        int64_t own = 0;
        for (auto& [n, v] : m->own_parameters()) own += v.value().numel();
        own_total += own;
        Shape s = shapes.count(m) ? shapes[m] : Shape{};
        if (!s.empty()) s[0] = -1;  // the batch axis
        std::string shape = shape_str(s);
        if (shape.rfind("(-1", 0) == 0) shape = "(N" + shape.substr(3);
        std::snprintf(line, sizeof line, "%-22s %-11s %-22s %-16s %12lld\n", m->name().c_str(),
                      m->type_name().c_str(), m->describe().c_str(), shape.c_str(), static_cast<long long>(own));
        out << line;
    }
    std::snprintf(line, sizeof line, "%-22s %-11s %-22s %-16s %12lld\n", "total", "", "", "",
                  static_cast<long long>(model.parameter_count()));
    out << line;
    return out.str();
}

}  // namespace probenet::nn
