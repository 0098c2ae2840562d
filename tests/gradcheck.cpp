#include "gradcheck.h"

#include <cmath>
#include <numeric>
#include <sstream>

#include "autograd/grad_mode.h"
#include "tensor/ops.h"

namespace probenet::testing {

using autograd::Var;

namespace {

std::vector<Var> make_vars(const std::vector<Tensor>& inputs) {
    std::vector<Var> vars;
    for (const Tensor& t : inputs) vars.emplace_back(t.clone(), true);
    return vars;
}

// L = Σ f(x) ∘ G in double.
double weighted_sum(const GradFn& f, const std::vector<Var>& vars, const std::vector<float>& g) {
    autograd::NoGradGuard no_grad;
    const std::vector<float> y = f(vars).value().to_vector();
    double s = 0;
    for (size_t i = 0; i < y.size(); ++i) s += double(y[i]) * double(g[i]);
    return s;
}

}  // namespace

Tensor away_from_zero(const Shape& shape, Rng& rng) {
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    for (float& x : v) x = rng.uniform(0.1f, 1.0f) * (rng.next_u32() & 1 ? 1.0f : -1.0f);
    return Tensor::from_vector(shape, v);
}

Tensor distinct_values(const Shape& shape, Rng& rng) {
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), size_t(0));
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.randint(uint32_t(i))]);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.05f * (float(order[i]) - float(v.size()) / 2);
    return Tensor::from_vector(shape, v);
}

GradCheckResult gradcheck(const GradFn& f, const std::vector<Tensor>& inputs, const GradCheckOptions& opt) {
    GradCheckResult result;
    std::ostringstream report;
    Rng rng(opt.seed);

    // Analytic gradients with a random upstream gradient G.
    std::vector<Var> vars = make_vars(inputs);
    Var y = f(vars);
    const Tensor G = Tensor::normal(y.shape(), 0.0f, 1.0f, rng);
    const std::vector<float> g = G.to_vector();
    y.backward(G);
    std::vector<std::vector<float>> analytic;
    for (const Var& v : vars) analytic.push_back(v.grad_or_zeros().to_vector());

    // Numerical gradients by central differences, one element at a time.
    for (size_t k = 0; k < vars.size(); ++k) {
        double largest_numeric = 0;  // per input: one live input must not hide another's dead gradient
        std::vector<Var> probe = make_vars(inputs);
        float* x = probe[k].value().data();
        for (int64_t i = 0; i < probe[k].value().numel(); ++i) {
            const float saved = x[i];
            x[i] = saved + opt.eps;
            const double plus = weighted_sum(f, probe, g);
            x[i] = saved - opt.eps;
            const double minus = weighted_sum(f, probe, g);
            x[i] = saved;
            const double numeric = (plus - minus) / (2.0 * double(opt.eps));
            const double a = analytic[k][static_cast<size_t>(i)];
            largest_numeric = std::max(largest_numeric, std::fabs(numeric));
            if (!(std::fabs(a - numeric) <= opt.atol + opt.rtol * std::fabs(numeric))) {
                if (result.ok)
                    report << "input " << k << " " << inputs[k].shape_str() << " element " << i << ": analytic " << a
                           << " vs numeric " << numeric << "\n";
                result.ok = false;
            }
        }
        if (largest_numeric <= opt.atol) {
            result.ok = false;
            report << "input " << k << " " << inputs[k].shape_str() << ": numerical gradient is ~0 everywhere (max "
                   << largest_numeric << "): the check would pass a zero backward; choose other inputs\n";
        }
    }

    // Accumulation: pre-fill grads with R; backward must add onto it.
    std::vector<Var> again = make_vars(inputs);
    std::vector<std::vector<float>> prefill;
    for (Var& v : again) {
        Tensor r = Tensor::normal(v.shape(), 0.0f, 1.0f, rng);
        prefill.push_back(r.to_vector());
        autograd::GradSlot slot = autograd::grad_slot(*v.impl());
        ops::copy(r, slot.grad);
    }
    f(again).backward(G);
    for (size_t k = 0; k < again.size(); ++k) {
        const std::vector<float> got = again[k].grad_or_zeros().to_vector();
        for (size_t i = 0; i < got.size(); ++i) {
            const double want = double(prefill[k][i]) + analytic[k][i];
            if (!(std::fabs(got[i] - want) <= 1e-5 + 1e-5 * std::fabs(want))) {
                report << "input " << k << " element " << i << ": backward does not accumulate (pre-filled "
                       << prefill[k][i] << " + " << analytic[k][i] << " ≠ " << got[i] << ")\n";
                result.ok = false;
                break;
            }
        }
    }
    result.report = report.str();
    return result;
}

}  // namespace probenet::testing
