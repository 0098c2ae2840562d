// Helpers of the CPU-vs-CUDA tests (see cuda_compare.h for the tolerances and the skip rule).
#include "cuda_compare.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "autograd/grad_mode.h"
#include "tensor/backend.h"
#include "tensor/cuda/cuda_backend.h"
#include "tensor/random.h"

namespace probenet::testing {

using autograd::Var;

bool have_cuda() {
    if (backend_available(Device::CUDA)) return true;
    WARN("skipped: no CUDA device (" << cuda_unavailable_reason() << ")");
    return false;
}

Tensor pattern(const Shape& shape, uint32_t seed) {
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<float>((static_cast<uint32_t>(i) * 2654435761u + seed * 40503u) % 2001u) / 1000.0f - 1.0f;
    return Tensor::from_vector(shape, v);
}

Tensor gpu(const Tensor& t) { return t.to(Device::CUDA); }

Tensor abs_copy(const Tensor& cpu) {
    Tensor out = cpu.to(Device::CPU).clone();
    for (float* p = out.data(); p != out.data() + out.numel(); ++p) *p = std::fabs(*p);
    return out;
}

void require_exact(const Tensor& cuda, const Tensor& cpu) {
    REQUIRE(cuda.device() == Device::CUDA);
    REQUIRE(cuda.shape() == cpu.shape());
    const std::vector<float> g = cuda.to_vector(), w = cpu.to_vector();
    for (size_t i = 0; i < w.size(); ++i) {
        if (g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) continue;
        FAIL("element " << i << ": cuda " << g[i] << " vs cpu " << w[i]);
    }
}

void require_close(const std::vector<float>& g, const std::vector<float>& w, double rtol, double atol,
                   const std::vector<float>* scale) {
    REQUIRE(g.size() == w.size());
    for (size_t i = 0; i < w.size(); ++i) {
        const double s = scale ? (*scale)[i] : std::fabs(w[i]);
        const double d = std::fabs(double(g[i]) - double(w[i]));
        if (!(d <= atol + rtol * s))
            FAIL("element " << i << ": cuda " << g[i] << " vs cpu " << w[i] << " (|diff| " << d << " > "
                            << atol + rtol * s << ")");
    }
}

void require_close(const Tensor& cuda, const Tensor& cpu, double rtol, double atol) {
    REQUIRE(cuda.device() == Device::CUDA);
    REQUIRE(cuda.shape() == cpu.shape());
    require_close(cuda.to_vector(), cpu.to_vector(), rtol, atol);
}

void require_close_norm(const std::vector<float>& g, const std::vector<float>& w, double tol) {
    double wmax = 1.0;
    for (float v : w) wmax = std::max(wmax, double(std::fabs(v)));
    require_close(g, w, 0.0, tol * wmax);
}

namespace {

struct Outcome {
    std::vector<float> y;
    std::vector<std::vector<float>> grads;
};

Outcome run_on(Device device, const VarFn& f, const std::vector<Tensor>& inputs, const Tensor& seed) {
    std::vector<Var> vars;
    for (const Tensor& t : inputs) vars.emplace_back(t.to(device).clone(), true);
    Outcome out;
    for (int pass = 0; pass < 2; ++pass) {
        Var y = f(vars);
        REQUIRE(y.value().device() == device);
        out.y = y.value().to_vector();
        y.backward(seed.to(device));
    }
    for (const Var& v : vars) out.grads.push_back(v.grad_or_zeros().to_vector());
    return out;
}

}  // namespace

void require_same_on_both(const VarFn& f, const std::vector<Tensor>& inputs, double tol, uint32_t seed) {
    Shape y_shape;
    {
        autograd::NoGradGuard no_grad;
        std::vector<Var> vars(inputs.begin(), inputs.end());
        y_shape = f(vars).shape();
    }
    Rng rng(seed);
    const Tensor g = Tensor::normal(y_shape, 0, 1, rng);
    const Outcome cpu = run_on(Device::CPU, f, inputs, g), cuda = run_on(Device::CUDA, f, inputs, g);
    {
        INFO("forward");
        require_close_norm(cuda.y, cpu.y, tol);
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
        INFO("gradient of input " << i);
        require_close_norm(cuda.grads[i], cpu.grads[i], tol);
    }
}

}  // namespace probenet::testing
