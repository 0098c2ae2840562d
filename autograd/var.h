// Var: a tensor value that autograd can differentiate, with its gradient and the node that made it.
//
// Reverse mode in brief: every differentiable function (autograd/functions/) computes its output
// Tensor, and, when grad mode is on and an input requires a gradient, records a Node that keeps
// what its backward needs. `backward()` walks the recorded graph from the loss in reverse
// topological order (autograd/engine.cpp) and each Node *accumulates* (+=) into its inputs' grads.
//
// Gradients start "zero" without touching memory: the first write into a grad uses beta = 0
// (overwrite) and later ones beta = 1 (accumulate), so zero_grad() costs nothing and no separate
// memset pass runs per step (what PyTorch's set_to_none achieves).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tensor/sgd_step.h"
#include "tensor/tensor.h"

namespace probenet::autograd {

struct VarImpl;

// One recorded operation: it produced one Var from `inputs`.
class Node {
public:
    virtual ~Node() = default;
    virtual const char* name() const = 0;
    // grad_out has the shape of this node's output; add the input gradients into inputs' grads.
    virtual void backward(const Tensor& grad_out) = 0;

    std::vector<std::shared_ptr<VarImpl>> inputs;
};

// An optimizer step taken inside backward (optim/sgd.h: SgdOptions::update_in_backward). A function
// that forms a parameter's whole gradient in one place (the linear layer's dW and db) asks
// take_update_in_backward; when it gets one, it hands the gradient over in parts while each part is
// still in cache, instead of writing VarImpl::grad — the full-size gradient is never written to
// memory and read back, and the optimizer's step() skips the parameter.
class UpdateInBackward {
public:
    virtual ~UpdateInBackward() = default;
    // grad: this step's complete gradient of parameter elements [offset, offset + n), on the
    // parameter's device. Called concurrently for disjoint ranges.
    virtual void apply(int64_t offset, int64_t n, const float* grad) = 0;
    // The same update as SGD's arithmetic (tensor/sgd_step.h) for kernels that apply it where they sum
    // the gradient, for this step; null when the optimizer is not plain SGD.
    virtual const SgdStep* sgd_step() { return nullptr; }
};

struct VarImpl {
    VarImpl() = default;
    ~VarImpl();  // dismantles long graphs iteratively: no recursion in destructors either
    VarImpl(const VarImpl&) = delete;
    VarImpl& operator=(const VarImpl&) = delete;

    Tensor value;
    Tensor grad;             // allocated on first accumulation, reused afterwards
    bool grad_live = false;  // false: the gradient is zero whatever `grad` holds
    bool requires_grad = false;
    std::shared_ptr<Node> producer;  // null for leaves (parameters, inputs)
    std::shared_ptr<UpdateInBackward> update_in_backward;  // installed by an optimizer, or null
    bool updated_in_backward = false;  // taken since the optimizer's last step (which clears it)
};

class Var {
public:
    Var() = default;
    explicit Var(Tensor value, bool requires_grad = false);

    bool defined() const { return impl_ != nullptr; }
    const Tensor& value() const;
    Tensor& value();
    const Shape& shape() const { return value().shape(); }
    bool requires_grad() const;

    // The accumulated gradient, or an undefined Tensor while it is zero.
    Tensor grad() const;
    // A gradient tensor even when zero (allocates zeros then); for tests and optimizers.
    Tensor grad_or_zeros() const;
    void zero_grad();

    // Backpropagates from this Var: a scalar seeds with 1; otherwise pass the upstream gradient.
    void backward();
    void backward(const Tensor& seed);

    const std::shared_ptr<VarImpl>& impl() const { return impl_; }
    explicit Var(std::shared_ptr<VarImpl> impl) : impl_(std::move(impl)) {}

private:
    std::shared_ptr<VarImpl> impl_;
};

// --- for implementing functions ---------------------------------------------------------------

// Where a backward writes an input's gradient: the buffer, and the beta to write it with.
struct GradSlot {
    Tensor& grad;
    float beta;
};
// Allocates v.grad if needed and marks it live; the caller must then write it with `beta`.
GradSlot grad_slot(VarImpl& v);

// The update to apply to parameter `v` now, or null: none is installed, or the gradient already has
// another contribution this step (then write grad as usual). Throws when the update was taken since
// the optimizer's last step: the parameter is used twice in one graph, or backward ran twice before
// a step — both need a gradient that update_in_backward never forms.
UpdateInBackward* take_update_in_backward(VarImpl& v);

// Wraps a function's output: records `node` with `inputs` when grad mode is on and some input
// requires a gradient; otherwise the node is dropped and the result is a plain constant.
Var make_result(Tensor value, std::shared_ptr<Node> node, const std::vector<Var>& inputs);

}  // namespace probenet::autograd
