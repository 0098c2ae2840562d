// The backward engine: accumulation across calls, no-grad scope, deep graphs without recursion,
// and clear errors.
#include <catch2/catch.hpp>

#include <memory>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::autograd;

TEST_CASE("gradients accumulate over two backward calls until zero_grad", "[autograd]") {
    Var w(Tensor::from_vector({2}, {1, 2}), true);
    Var x(Tensor::from_vector({2}, {3, 4}));
    sum(mul(w, x)).backward();
    REQUIRE(w.grad().to_vector() == std::vector<float>{3, 4});
    sum(mul(w, x)).backward();
    REQUIRE(w.grad().to_vector() == std::vector<float>{6, 8});
    w.zero_grad();
    REQUIRE_FALSE(w.grad().defined());
    sum(scale(w, 2)).backward();
    REQUIRE(w.grad().to_vector() == std::vector<float>{2, 2});
    REQUIRE_FALSE(x.grad().defined());  // x did not require a gradient
}

TEST_CASE("no-grad scope records nothing", "[autograd]") {
    Var w(Tensor::ones({3}), true);
    Var y;
    {
        NoGradGuard guard;
        y = sum(mul(w, w));
    }
    REQUIRE_FALSE(y.requires_grad());
    REQUIRE(y.impl()->producer == nullptr);
    REQUIRE_THROWS_WITH(y.backward(), Catch::Contains("does not require a gradient"));
    REQUIRE(grad_enabled());
}

TEST_CASE("a 100000-node chain backpropagates without recursion", "[autograd]") {
    Var x(Tensor::ones({1}), true);
    Var y = x;
    for (int i = 0; i < 100000; ++i) y = add(y, x);
    sum(y).backward();
    REQUIRE(x.grad().item() == 100001.0f);
}

TEST_CASE("a 100000-node graph that is never backpropagated is freed without recursion", "[autograd]") {
    Var x(Tensor::ones({1}), true);
    REQUIRE(x.impl().use_count() == 1);
    std::weak_ptr<VarImpl> middle, last;
    std::weak_ptr<Node> middle_node;
    {
        Var y = x;
        for (int i = 0; i < 100000; ++i) {
            y = scale(y, 1.0f);
            if (i == 50000) middle = y.impl(), middle_node = y.impl()->producer;
        }
        last = y.impl();
        REQUIRE(x.impl().use_count() == 2);  // the first node holds x
        REQUIRE_FALSE(middle.expired());
    }  // recursive shared_ptr destruction would overflow the stack here
    // Everything the graph held is gone: its Vars, its nodes, and the first node's hold on x.
    REQUIRE(last.expired());
    REQUIRE(middle.expired());
    REQUIRE(middle_node.expired());
    REQUIRE(x.impl().use_count() == 1);
    REQUIRE(x.value().item() == 1.0f);
}

TEST_CASE("a diamond graph sums both paths", "[autograd]") {
    Var x(Tensor::from_vector({1}, {3}), true);
    Var a = scale(x, 2), b = mul(x, x);
    sum(add(a, b)).backward();  // d/dx (2x + x²) = 2 + 2x = 8
    REQUIRE(x.grad().item() == 8.0f);
}

TEST_CASE("backward errors name the shapes", "[autograd][errors]") {
    Var x(Tensor::ones({2, 2}), true);
    Var y = scale(x, 2);
    REQUIRE_THROWS_WITH(y.backward(), Catch::Contains("(2, 2)"));
    REQUIRE_THROWS_WITH(y.backward(Tensor::ones({4})), Catch::Contains("(4)"));
    REQUIRE_THROWS_WITH(linear(Var(Tensor::ones({2, 3})), Var(Tensor::ones({4, 5}))), Catch::Contains("(2, 3)"));
    REQUIRE_THROWS_WITH(cross_entropy(Var(Tensor::ones({2, 3})), {0, 3}), Catch::Contains("label 3"));
}
