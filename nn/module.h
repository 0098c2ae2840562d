// Module: a node of the network tree with a stable dotted name, parameters, children, a train/eval
// mode and forward hooks.
//
// Calling a module (`module(x)`) runs forward(x) and then its hooks on the output. Names are
// given by the parent when a child is added ("fc1", then "fc1.linear"), so the same model always
// has the same names: they key checkpoints, probes and summaries. Modules do no numeric work
// themselves: forward() composes autograd functions (autograd/functions.h).
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/var.h"
#include "nn/hooks.h"

namespace probenet::nn {

using autograd::Var;

class Module {
public:
    Module() : hooks_(std::make_shared<HookList>()) {}
    virtual ~Module() = default;
    Module(const Module&) = delete;
    Module& operator=(const Module&) = delete;

    // forward, then the forward hooks on its output.
    Var operator()(const Var& x);
    virtual Var forward(const Var& x) = 0;
    // relu(forward(x)), and max_pool2d of that. A module whose backend folds a following ReLU (and max
    // pool) into its own computation (Conv2d) says so with folds_relu() and does it here in one step;
    // Sequential calls these for such a layer followed by a ReLU (and a MaxPool2d) (nn/sequential.h).
    // The defaults are the separate steps.
    virtual bool folds_relu() const { return false; }
    virtual Var forward_relu(const Var& x);
    virtual Var forward_relu_maxpool(const Var& x, int kernel, int stride, int padding);
    virtual std::string type_name() const = 0;
    // Extra text for summaries, e.g. "784 → 128".
    virtual std::string describe() const { return ""; }

    const std::string& name() const { return name_; }  // dotted path from the root ("" for the root)
    bool training() const { return training_; }
    void train(bool on = true);
    void eval() { train(false); }
    // Moves every parameter below this module to `device` (before creating the optimizer).
    void to(Device device);

    // All parameters below this module, depth first in registration order, with dotted names.
    std::vector<std::pair<std::string, Var>> named_parameters() const;
    std::vector<Var> parameters() const;
    int64_t parameter_count() const;
    const std::deque<std::pair<std::string, Var>>& own_parameters() const { return params_; }
    const std::vector<std::unique_ptr<Module>>& children() const { return children_; }

    // The module at a dotted path below this one; nullptr if none. find_or_throw names the
    // available modules in its error.
    Module* find(const std::string& dotted_name);
    Module& find_or_throw(const std::string& dotted_name);
    // Every module below this one (not this one), depth first.
    std::vector<Module*> descendants();

    HookHandle register_forward_hook(ForwardHook hook);
    size_t hook_count() const { return hooks_->size(); }
    // Runs the forward hooks on y, as operator() does after forward, and returns y.
    Var run_hooks(const Var& y);

protected:
    template <typename M>
    M& add_module(const std::string& local_name, std::unique_ptr<M> child) {
        M& ref = *child;
        adopt(local_name, std::move(child));
        return ref;
    }
    Var& add_parameter(const std::string& local_name, Tensor value);

private:
    void adopt(const std::string& local_name, std::unique_ptr<Module> child);
    void rename(const std::string& prefix);

    std::string name_;
    std::string local_name_;
    bool training_ = true;
    std::deque<std::pair<std::string, Var>> params_;  // deque: add_parameter returns stable references
    std::vector<std::unique_ptr<Module>> children_;
    std::shared_ptr<HookList> hooks_;
};

}  // namespace probenet::nn
