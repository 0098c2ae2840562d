// MASC's float32 scoring (probe/masc.h, MascPrecision::Float32Certified) predicts exactly what the
// float64 path predicts: on every layer of an MLP trained briefly on MNIST, for every train and test
// row and both label sets, and on rows built so that two classes' scores differ by less than
// float32's rounding (there an uncertified float32 argmax would be wrong), and by less than the
// float64 path's own rounding (there the row's block is rerun). The MNIST test is skipped, with the
// reason printed, when data/mnist is absent (`make data` fetches it); failed under CI.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <vector>

#include "autograd/grad_mode.h"
#include "data/dataset_dirs.h"
#include "data/label_corruption.h"
#include "data/mnist_format.h"
#include "experiments/common/trainer.h"
#include "nn/models/mlp.h"
#include "optim/adam.h"
#include "probe/class_gram.h"
#include "probe/masc.h"
#include "probe/pca.h"
#include "tensor/cpu/amx_bf16x3_gemm.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::probe;

namespace {

// Predictions of every subspace set of `m` for `rows` ([set][row]), and what predict met.
std::vector<std::vector<int32_t>> predict_all(const Masc& m, const std::vector<float>& rows, MascCounts* counts) {
    const int64_t n = static_cast<int64_t>(rows.size()) / m.dim();
    std::vector<std::vector<int32_t>> out(static_cast<size_t>(m.num_sets()), std::vector<int32_t>(n, -2));
    std::vector<int32_t*> outs;
    for (auto& o : out) outs.push_back(o.data());
    *counts = m.predict(rows.data(), n, outs);
    return out;
}

std::vector<double> unit(std::vector<double> v) {
    double ss = 0.0;
    for (double x : v) ss += x * x;
    for (double& x : v) x /= std::sqrt(ss);
    return v;
}

// One class per basis vector (each class a line through 0) in ℝ^{v.size()}.
LayerSubspaces lines(const std::vector<std::vector<double>>& vectors) {
    LayerSubspaces s;
    s.layer = "lines";
    s.dim = static_cast<int64_t>(vectors[0].size());
    for (const auto& v : vectors) {
        ClassSubspace c;
        c.k = 1;
        c.basis = v;
        s.classes.push_back(c);
    }
    return s;
}

}  // namespace

TEST_CASE("MASC float32: the float64 path's predictions on every row of every layer of a trained MLP",
          "[probe][mnist]") {
    const std::string dir = data::testing::dataset_dir("mnist");
    PROBENET_SKIP_UNLESS_MNIST_FORMAT(dir);
    const data::TrainTest mnist = data::load_mnist_format(dir, "mnist", data::Scaling::MinusOneToOne);
    data::Dataset train = mnist.train.prefix(3000);
    const data::Dataset test = mnist.test.prefix(1000);
    train.train_labels = data::corrupt_labels(train.true_labels, 0.5, 10);  // two label sets that differ

    // Three epochs of Adam: a trained network, not a memorized one.
    Rng rng(5);
    auto model = nn::make_mlp(784, {128, 512, 2048, 2048}, 10, rng);
    optim::Adam adam(model->parameters(), {});
    experiments::TrainConfig config;
    config.max_epochs = 3;
    config.target_acc = 1.0;
    experiments::train(*model, adam, train, test, config, [](const experiments::EpochStats&) {});

    // Every layer's rows: the training rows, then the test rows.
    const std::vector<std::string> layers = {"input", "fc1", "fc2", "fc3", "fc4"};
    std::map<std::string, std::vector<float>> rows;
    {
        autograd::NoGradGuard no_grad;
        model->eval();
        std::vector<nn::HookHandle> hooks;
        for (const std::string& l : layers)
            if (l != "input")
                hooks.push_back(model->find_or_throw(l).register_forward_hook(
                    [&rows, l](const nn::Module&, const Tensor& y) {
                        rows[l].insert(rows[l].end(), y.data(), y.data() + y.numel());
                    }));
        for (const data::Dataset* d : std::vector<const data::Dataset*>{&train, &test})
            for (int64_t b = 0; b < d->size(); b += 500) {
                const Tensor x = d->batch_images(b, std::min<int64_t>(b + 500, d->size()));
                rows["input"].insert(rows["input"].end(), x.data(), x.data() + x.numel());
                (*model)(autograd::Var(x));
            }
    }

    const int64_t n = train.size() + test.size();
    int64_t layers_with_certified_rows = 0;
    for (const std::string& l : layers) {
        const std::vector<float>& x = rows[l];
        const int64_t d = static_cast<int64_t>(x.size()) / n;
        ClassGram grams(l, d, 10, 2);
        grams.add(x.data(), train.size(), std::vector<const int32_t*>{train.train_labels.data(), train.true_labels.data()});
        const std::vector<LayerSubspaces> fit = fit_subspaces(grams, default_threshold());
        const Masc exact({&fit[0], &fit[1]}, ZeroRowRule::LowestClass, MascPrecision::Float64);
        const Masc fast({&fit[0], &fit[1]});
        REQUIRE(fast.precision() == MascPrecision::Float32Certified);
        REQUIRE(fast.uses_amx() == Masc::amx_for_width(d));  // every layer on AMX tiles where the CPU has them
        const Masc sgemm({&fit[0], &fit[1]}, ZeroRowRule::LowestClass, MascPrecision::Float32Certified,
                         MascGemm::Sgemm);
        REQUIRE(!sgemm.uses_amx());
        MascCounts c64, c32, cs;
        const auto p64 = predict_all(exact, x, &c64);
        const auto p32 = predict_all(fast, x, &c32);
        const auto ps = predict_all(sgemm, x, &cs);
        INFO("layer " << l << " (d " << d << "): " << c32.rescored << " of " << n << " rows rescored in float64, "
                      << c32.reblocked << " of them in their whole block (" << cs.rescored << " with sgemm); "
                      << c32.zero_rows << " zero rows");
        REQUIRE(p32 == p64);
        REQUIRE(ps == p64);
        REQUIRE(c32.zero_rows == c64.zero_rows);
        REQUIRE(cs.zero_rows == c64.zero_rows);
        REQUIRE(c64.rescored == 0);
        // MNIST's pixels: many rows' top two scores are closer than float32's rounding can tell.
        if (l == "input") REQUIRE(c32.rescored > n / 100);
        layers_with_certified_rows += c32.rescored < n / 2;
    }
    REQUIRE(layers_with_certified_rows >= 3);
}

TEST_CASE("MASC float32: classes closer than float32 rounding still get the float64 path's prediction",
          "[probe]") {
    Rng rng(31);
    const int64_t d = 16, n = 400;
    std::vector<double> u0(d), u1(d);
    for (int64_t i = 0; i < d; ++i) {
        u0[i] = rng.normal(0.0f, 1.0f);
        u1[i] = rng.normal(0.0f, 1.0f);
    }
    u0 = unit(u0);
    u1 = unit(u1);
    // Rows along the bisector of the two lines, where both score the same, off it by float32's
    // rounding of the row and a relative 10⁻⁷: the two scores differ by about as much as float32
    // rounding changes them.
    std::vector<double> h(d);
    for (int64_t i = 0; i < d; ++i) h[i] = u0[i] + u1[i];
    h = unit(h);
    std::vector<float> rows(static_cast<size_t>(n * d));
    for (int64_t r = 0; r < n; ++r) {
        const double c = 0.5 + 2.0 * rng.uniform_double();
        for (int64_t i = 0; i < d; ++i) rows[r * d + i] = static_cast<float>(c * (h[i] + 1e-7 * rng.normal(0.0f, 1.0f)));
    }
    const LayerSubspaces s = lines({u0, u1});

    // Float32 arithmetic alone gets some of these rows wrong (here a plain dot product of the rows
    // with the float32-rounded lines).
    MascCounts c64, c32;
    const auto p64 = predict_all(Masc(s, ZeroRowRule::LowestClass, MascPrecision::Float64), rows, &c64)[0];
    int64_t wrong_in_float32 = 0;
    for (int64_t r = 0; r < n; ++r) {
        float a = 0.0f, b = 0.0f;
        for (int64_t i = 0; i < d; ++i) {
            a += static_cast<float>(u0[i]) * rows[r * d + i];
            b += static_cast<float>(u1[i]) * rows[r * d + i];
        }
        wrong_in_float32 += (double(b) * b > double(a) * a ? 1 : 0) != p64[r];
    }
    INFO(wrong_in_float32 << " of " << n << " rows predicted otherwise by float32 arithmetic");
    REQUIRE(wrong_in_float32 > n / 20);

    // Ties closer than the float64 path's own rounding: lines symmetric about the row x0, scored on
    // x0·2^j (both scores equal in exact arithmetic).
    std::vector<float> x0(d);
    for (float& v : x0) v = rng.normal(0.0f, 1.0f);
    std::vector<double> xh(x0.begin(), x0.end()), w(d);
    xh = unit(xh);
    for (double& v : w) v = rng.normal(0.0f, 1.0f);
    double along = 0.0;
    for (int64_t i = 0; i < d; ++i) along += w[i] * xh[i];
    for (int64_t i = 0; i < d; ++i) w[i] -= along * xh[i];
    w = unit(w);
    std::vector<double> v0(d), v1(d);
    for (int64_t i = 0; i < d; ++i) {
        v0[i] = xh[i] + 0.5 * w[i];
        v1[i] = xh[i] - 0.5 * w[i];
    }
    const LayerSubspaces tie = lines({unit(v0), unit(v1), u0});
    std::vector<float> tied;
    for (int j = -3; j <= 3; ++j)
        for (float v : x0) tied.push_back(std::ldexp(v, j));
    tied.insert(tied.end(), rows.begin(), rows.end());  // and rows that do not tie
    // The same ties after 2400 rows that do not tie.
    std::vector<float> late;
    while (late.size() < static_cast<size_t>(2400 * d)) late.insert(late.end(), rows.begin(), rows.end());
    late.insert(late.end(), tied.begin(), tied.end());

    // Both float32-pass GEMMs: sgemm, and AMX tiles where the CPU has them (else sgemm again).
    for (const MascGemm gemm : {MascGemm::Sgemm, MascGemm::Auto}) {
        INFO((gemm == MascGemm::Sgemm ? "sgemm" : Masc::amx_for_width(d) ? "AMX" : "sgemm (no AMX here)"));
        const auto p32 = predict_all(Masc(s, ZeroRowRule::LowestClass, MascPrecision::Float32Certified, gemm), rows, &c32)[0];
        INFO(c32.rescored << " rows rescored in float64, " << c32.reblocked << " in their whole block");
        REQUIRE(p32 == p64);
        REQUIRE(c32.rescored >= wrong_in_float32 / 2);

        // The ties: which class wins depends on the float64 path's rounding, so these rows are scored
        // in their own block again.
        const auto t64 = predict_all(Masc(tie, ZeroRowRule::LowestClass, MascPrecision::Float64), tied, &c64)[0];
        const auto t32 = predict_all(Masc(tie, ZeroRowRule::LowestClass, MascPrecision::Float32Certified, gemm), tied, &c32)[0];
        INFO(c32.rescored << " rows rescored in float64, " << c32.reblocked << " in their whole block");
        REQUIRE(t32 == t64);
        REQUIRE(c32.reblocked > 0);

        // The same ties in the third of the float64 path's blocks (1024 rows here) of one float32 span:
        // their own block, rows [2048, n), is the one rerun.
        const auto l64 = predict_all(Masc(tie, ZeroRowRule::LowestClass, MascPrecision::Float64), late, &c64)[0];
        const auto l32 = predict_all(Masc(tie, ZeroRowRule::LowestClass, MascPrecision::Float32Certified, gemm), late, &c32)[0];
        INFO(c32.rescored << " rows rescored in float64, " << c32.reblocked << " in their whole block");
        REQUIRE(l32 == l64);
        REQUIRE(c32.reblocked > 0);
    }
}

TEST_CASE("MASC on AMX tiles: near ties at width 2048 get the float64 path's prediction", "[probe][amx]") {
    if (!Masc::amx_for_width(2048)) {
        WARN("skipped: the float32 pass runs sgemm here (" << cpu::amx_bf16_status() << ")");
        return;
    }
    Rng rng(47);
    const int64_t d = 2048, n = 600;
    std::vector<std::vector<double>> lines_of(3, std::vector<double>(d));
    for (auto& u : lines_of) {
        for (double& v : u) v = rng.normal(0.0f, 1.0f);
        u = unit(u);
    }
    // Rows on the bisector of lines 0 and 1, off it by a relative 10⁻⁷ (far inside the AMX bound:
    // rescored), 10⁻⁵ (near it) or 10⁻³ (certified in bf16×3), at scales over 2⁻³⁰…2³⁰.
    std::vector<double> h(d);
    for (int64_t i = 0; i < d; ++i) h[i] = lines_of[0][i] + lines_of[1][i];
    h = unit(h);
    std::vector<float> rows(static_cast<size_t>(n * d));
    for (int64_t r = 0; r < n; ++r) {
        const double off = r % 3 == 0 ? 1e-7 : r % 3 == 1 ? 1e-5 : 1e-3;
        const double scale = std::ldexp(0.5 + rng.uniform_double(), static_cast<int>(r % 61) - 30);
        for (int64_t i = 0; i < d; ++i)
            rows[r * d + i] = static_cast<float>(scale * (h[i] + off * rng.normal(0.0f, 1.0f)));
    }
    const LayerSubspaces s = lines(lines_of);
    const Masc fast(s);
    REQUIRE(fast.uses_amx());
    MascCounts c64, c32;
    const auto p64 = predict_all(Masc(s, ZeroRowRule::LowestClass, MascPrecision::Float64), rows, &c64)[0];
    const auto p32 = predict_all(fast, rows, &c32)[0];
    INFO(c32.rescored << " of " << n << " rows rescored in float64, " << c32.reblocked << " in their whole block");
    REQUIRE(p32 == p64);
    REQUIRE(c32.rescored >= n / 3);  // the 10⁻⁷ rows at least
    REQUIRE(c32.rescored < n);       // and the 10⁻³ rows certified by the AMX bound

    // Two label sets that agree (as at p = 0): the second set reads the first one's classes, and a
    // third set with the lines in another order has classes of its own.
    const LayerSubspaces swapped = lines({lines_of[2], lines_of[0], lines_of[1]});
    const Masc both({&s, &s, &swapped});
    REQUIRE(both.uses_amx());
    REQUIRE(both.basis_rows() == 6);
    const auto q64 = predict_all(Masc({&s, &s, &swapped}, ZeroRowRule::LowestClass, MascPrecision::Float64), rows, &c64);
    const auto q32 = predict_all(both, rows, &c32);
    REQUIRE(q32 == q64);
    REQUIRE(q32[1] == p64);
}
