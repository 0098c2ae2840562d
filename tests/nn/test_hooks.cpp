// Forward hooks: order, RAII removal, removal inside a hook, no effect on outputs, every layer; and
// Sequential running nested blocks as one list (an empty block, a subclass with its own forward).
#include <catch2/catch.hpp>

#include "autograd/functions.h"
#include "nn/activations.h"
#include "nn/models/mlp.h"
#include "nn/sequential.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::nn;

namespace {
std::unique_ptr<Sequential> small_mlp() {
    Rng rng(3);
    return make_mlp(6, {5, 4}, 3, rng);
}
Tensor batch() {
    Rng rng(4);
    return Tensor::normal({2, 6}, 0, 1, rng);
}
}  // namespace

TEST_CASE("hooks run in registration order and stop when their handle goes", "[nn][hooks]") {
    auto mlp = small_mlp();
    Module& fc1 = mlp->find_or_throw("fc1");
    std::vector<int> calls;
    HookHandle a = fc1.register_forward_hook([&](const Module&, const Tensor&) { calls.push_back(1); });
    {
        HookHandle b = fc1.register_forward_hook([&](const Module&, const Tensor&) { calls.push_back(2); });
        HookHandle c = fc1.register_forward_hook([&](const Module&, const Tensor&) { calls.push_back(3); });
        (*mlp)(Var(batch()));
        REQUIRE(calls == std::vector<int>{1, 2, 3});
        b.remove();
        b.remove();  // idempotent
        calls.clear();
        (*mlp)(Var(batch()));
        REQUIRE(calls == std::vector<int>{1, 3});
    }  // c removed by its destructor
    calls.clear();
    (*mlp)(Var(batch()));
    REQUIRE(calls == std::vector<int>{1});
    REQUIRE(fc1.hook_count() == 1);
    HookHandle moved = std::move(a);
    REQUIRE(moved.active());
    REQUIRE_FALSE(a.active());
    moved.remove();
    REQUIRE(fc1.hook_count() == 0);
}

TEST_CASE("a hook may remove itself and others while hooks run", "[nn][hooks]") {
    auto mlp = small_mlp();
    Module& fc2 = mlp->find_or_throw("fc2");
    int first = 0, second = 0;
    HookHandle h2;
    HookHandle h1 = fc2.register_forward_hook([&](const Module&, const Tensor&) {
        ++first;
        h1.remove();  // itself
        h2.remove();  // the one after it: must not run in this forward either
    });
    h2 = fc2.register_forward_hook([&](const Module&, const Tensor&) { ++second; });
    (*mlp)(Var(batch()));
    (*mlp)(Var(batch()));
    REQUIRE(first == 1);
    REQUIRE(second == 0);
    REQUIRE(fc2.hook_count() == 0);
}

TEST_CASE("hooks see the real output, unchanged by later layers, backward or hooks", "[nn][hooks]") {
    auto mlp = small_mlp();
    Tensor seen, seen_copy;
    HookHandle h = mlp->find_or_throw("fc1").register_forward_hook([&](const Module& m, const Tensor& y) {
        REQUIRE(m.name() == "fc1");
        seen = y;  // kept without copying
        seen_copy = y.clone();
    });
    const Tensor x = batch();
    Var out_hooked = (*mlp)(Var(x));
    autograd::cross_entropy(out_hooked, {0, 2}).backward();
    REQUIRE(seen.shape() == Shape{2, 5});
    REQUIRE(seen.to_vector() == seen_copy.to_vector());  // nothing wrote into it afterwards
    // The output with the hook equals the output without it.
    h.remove();
    REQUIRE((*mlp)(Var(x)).value().to_vector() == out_hooked.value().to_vector());
    // And equals recomputing fc1 by hand: relu(x Wᵀ + b).
    auto& lin = mlp->find_or_throw("fc1.linear");
    const auto params = lin.own_parameters();
    const Tensor manual = autograd::relu(autograd::linear(Var(x), params[0].second, params[1].second)).value();
    REQUIRE(manual.to_vector() == seen_copy.to_vector());
}

TEST_CASE("a hook on every layer fires once per layer per forward, depth first", "[nn][hooks]") {
    auto mlp = small_mlp();
    std::vector<std::string> order;
    std::vector<HookHandle> handles;
    for (Module* m : mlp->descendants())
        handles.push_back(m->register_forward_hook([&](const Module& mod, const Tensor&) { order.push_back(mod.name()); }));
    (*mlp)(Var(batch()));
    // A block's hook fires after its children's (its output exists only once they ran).
    REQUIRE(order == std::vector<std::string>{"flatten", "fc1.linear", "fc1.relu", "fc1", "fc2.linear", "fc2.relu",
                                              "fc2", "classifier"});
    handles.clear();
    order.clear();
    (*mlp)(Var(batch()));
    REQUIRE(order.empty());
}

TEST_CASE("a handle outliving its module is harmless", "[nn][hooks]") {
    HookHandle h;
    {
        auto mlp = small_mlp();
        h = mlp->register_forward_hook([](const Module&, const Tensor&) {});
        REQUIRE(h.active());
    }
    REQUIRE_FALSE(h.active());
    h.remove();
}

namespace {
// A Sequential subclass with its own forward: Sequential must call it, not flatten its children.
class DoublingSequential : public Sequential {
public:
    Var forward(const Var& x) override { return autograd::scale(Sequential::forward(x), 2.0f); }
};
}  // namespace

TEST_CASE("nested blocks run as one list: an empty block is the identity, a subclass keeps its forward",
          "[nn][hooks]") {
    Rng rng(5);
    Sequential root;
    auto& empty = root.add("empty", std::make_unique<Sequential>());
    auto& twice = root.add("twice", std::make_unique<DoublingSequential>());
    twice.add("relu", std::make_unique<ReLU>());
    std::vector<std::string> order;
    std::vector<HookHandle> handles;
    for (Module* m : root.descendants())
        handles.push_back(m->register_forward_hook([&](const Module& mod, const Tensor&) { order.push_back(mod.name()); }));
    const Tensor x = Tensor::normal({3, 4}, 0, 1, rng);
    const std::vector<float> y = root(Var(x)).value().to_vector(), in = x.to_vector();
    REQUIRE(order == std::vector<std::string>{"empty", "twice.relu", "twice"});
    for (size_t i = 0; i < in.size(); ++i) REQUIRE(y[i] == 2.0f * (in[i] > 0.0f ? in[i] : 0.0f));
    (void)empty;
}
