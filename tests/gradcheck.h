// gradcheck: the one gradient checker every differentiable function and layer must pass.
//
// For f: inputs → output y, it draws a random upstream gradient G (normal, never all ones, so a
// backward that sums instead of weighting, or mixes up elements, shows) and compares, for every
// element of every input, the analytic dL/dx of L = Σ y∘G from backward() with the central
// difference (L(x+ε) − L(x−ε)) / 2ε computed in double from float32 forwards. It then checks that
// backward *accumulates*: with grads pre-filled with random R, a second backward must give R + dL/dx.
// It fails when the numerical gradient of any one input is below atol at all its elements, so two
// zero gradients can't agree, and a live input can't hide another input's dead one.
//
// Tolerances: |analytic − numeric| ≤ atol + rtol·|numeric|, with ε = 1e-2, atol = 2e-3, rtol = 2e-2.
// float32 round-off in L is ~1e-7·Σ|y∘G| ≈ 1e-5 for the small shapes the tests use, i.e. ~5e-4
// after dividing by 2ε; the truncation error of the central difference is O(ε²·f''') ≈ 1e-4 for
// the smooth functions here (inputs are kept ≥ 0.1 away from kinks, so ReLU and max stay linear).
// A real bug — a wrong mask, a transposed or missing term, a wrong scale — moves a gradient by
// O(0.1–1) and fails by orders of magnitude (tests/autograd/test_gradcheck_mutations.cpp proves it).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/var.h"
#include "tensor/random.h"

namespace probenet::testing {

struct GradCheckOptions {
    float eps = 1e-2f;
    double atol = 2e-3;
    double rtol = 2e-2;
    uint32_t seed = 1234;
};

struct GradCheckResult {
    bool ok = true;
    std::string report;  // what failed, which input and element, both values
};

using GradFn = std::function<autograd::Var(const std::vector<autograd::Var>&)>;

// Checks every input; `inputs` are copied, never modified.
GradCheckResult gradcheck(const GradFn& f, const std::vector<Tensor>& inputs, const GradCheckOptions& options = {});

// Random test data: uniform magnitude in [0.1, 1] with a random sign — never within 0.1 of zero.
Tensor away_from_zero(const Shape& shape, Rng& rng);
// Distinct values −0.05·n/2 … +0.05·n/2 in a seeded random order: for max pooling, a perturbation of
// ε = 0.01 then never changes which element wins a window (no ties, no kinks).
Tensor distinct_values(const Shape& shape, Rng& rng);

}  // namespace probenet::testing
