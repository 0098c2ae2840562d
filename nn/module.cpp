#include "nn/module.h"

#include "autograd/functions.h"
#include "tensor/error.h"

namespace probenet::nn {

Var Module::operator()(const Var& x) { return run_hooks(forward(x)); }

Var Module::run_hooks(const Var& y) {
    if (!hooks_->empty()) hooks_->run(*this, y.value());
    return y;
}

Var Module::forward_relu(const Var& x) { return autograd::relu(forward(x)); }

Var Module::forward_relu_maxpool(const Var& x, int kernel, int stride, int padding) {
    return autograd::max_pool2d(forward_relu(x), kernel, stride, padding);
}

void Module::train(bool on) {
    training_ = on;
    for (auto& c : children_) c->train(on);
}

void Module::to(Device device) {
    for (auto& [name, var] : params_) var.value() = var.value().to(device);
    for (auto& c : children_) c->to(device);
}

std::vector<std::pair<std::string, Var>> Module::named_parameters() const {
    std::vector<std::pair<std::string, Var>> out;
    for (const auto& [local, var] : params_) out.emplace_back(name_.empty() ? local : name_ + "." + local, var);
    for (const auto& c : children_)
        for (auto& entry : c->named_parameters()) out.push_back(std::move(entry));
    return out;
}

std::vector<Var> Module::parameters() const {
    std::vector<Var> out;
    for (auto& [name, var] : named_parameters()) out.push_back(var);
    return out;
}

int64_t Module::parameter_count() const {
    int64_t n = 0;
    for (const Var& v : parameters()) n += v.value().numel();
    return n;
}

Module* Module::find(const std::string& dotted_name) {
    if (dotted_name.empty()) return this;
    const size_t dot = dotted_name.find('.');
    const std::string head = dotted_name.substr(0, dot);
    for (auto& c : children_)
        if (c->local_name_ == head) return dot == std::string::npos ? c.get() : c->find(dotted_name.substr(dot + 1));
    return nullptr;
}

Module& Module::find_or_throw(const std::string& dotted_name) {
    if (Module* m = find(dotted_name)) return *m;
    std::string names;
    for (Module* m : descendants()) names += (names.empty() ? "" : ", ") + m->name();
    throw Error("no layer named '" + dotted_name + "'; this model has: " + names);
}

std::vector<Module*> Module::descendants() {
    std::vector<Module*> out;
    for (auto& c : children_) {
        out.push_back(c.get());
        for (Module* d : c->descendants()) out.push_back(d);
    }
    return out;
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
    PROBENET_CHECK(static_cast<bool>(hook), "register_forward_hook on '", name_, "': empty hook");
    const int id = hooks_->add(std::move(hook));
    return HookHandle(hooks_, id);
}

Var& Module::add_parameter(const std::string& local_name, Tensor value) {
    for (auto& [n, v] : params_)
        PROBENET_CHECK(n != local_name, "module '", name_, "': parameter '", local_name, "' added twice");
    params_.emplace_back(local_name, Var(std::move(value), true));
    return params_.back().second;
}

void Module::adopt(const std::string& local_name, std::unique_ptr<Module> child) {
    PROBENET_CHECK(!local_name.empty() && local_name.find('.') == std::string::npos, "module '", name_,
                   "': child name '", local_name, "' must be non-empty and contain no '.'");
    for (auto& c : children_)
        PROBENET_CHECK(c->local_name_ != local_name, "module '", name_, "': two children named '", local_name, "'");
    child->local_name_ = local_name;
    child->rename(name_.empty() ? local_name : name_ + "." + local_name);
    child->train(training_);
    children_.push_back(std::move(child));
}

void Module::rename(const std::string& full_name) {
    name_ = full_name;
    for (auto& c : children_) c->rename(name_ + "." + c->local_name_);
}

}  // namespace probenet::nn
