// MASC: a hand-worked 2-D case, ties, all-zero rows under both rules, perfect accuracy on data drawn
// from distinct known subspaces, and the tally against several label arrays.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "probe/class_gram.h"
#include "probe/masc.h"
#include "probe/pca.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::probe;

namespace {
// Class subspaces given by explicit orthonormal bases (k vectors of length d each).
LayerSubspaces subspaces(int64_t d, const std::vector<std::vector<double>>& bases) {
    LayerSubspaces s;
    s.layer = "hand";
    s.dim = d;
    for (const auto& b : bases) {
        ClassSubspace c;
        c.k = static_cast<int64_t>(b.size()) / d;
        c.basis = b;
        s.classes.push_back(c);
    }
    return s;
}

std::vector<int32_t> predict_one(const Masc& m, const std::vector<float>& rows, int64_t* zero_rows = nullptr) {
    std::vector<int32_t> out(rows.size() / static_cast<size_t>(m.dim()));
    int32_t* p = out.data();
    const MascCounts counts = m.predict(rows.data(), static_cast<int64_t>(out.size()), std::span(&p, 1));
    if (zero_rows) *zero_rows = counts.zero_rows;
    return out;
}

// n rows of class c: x = B_c z with z ~ N(0, 1)^r, B_c the (d, r) block of a random Gaussian matrix.
std::vector<float> draw(const std::vector<std::vector<double>>& bases, int64_t d, int64_t r, int64_t n, int32_t c,
                        Rng& rng) {
    std::vector<float> x(static_cast<size_t>(n * d), 0.0f);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < r; ++j) {
            const double z = rng.normal(0.0f, 1.0f);
            for (int64_t t = 0; t < d; ++t) x[i * d + t] += static_cast<float>(z * bases[c][j * d + t]);
        }
    return x;
}
}  // namespace

TEST_CASE("MASC by hand: x-axis vs y-axis", "[probe]") {
    const LayerSubspaces s = subspaces(2, {{1, 0}, {0, 1}});
    const Masc m(s);
    // (2,1): cos² = 4/5 to the x-axis, 1/5 to the y-axis → class 0. (1,2) → class 1. (1,1): tie → class 0.
    const std::vector<float> rows{2, 1, 1, 2, 1, 1, -3, 0.5f};
    REQUIRE(predict_one(m, rows) == std::vector<int32_t>{0, 1, 0, 0});
    std::vector<double> scores(8);
    m.score(rows.data(), 4, 0, scores.data());
    REQUIRE(scores[0] == Approx(0.8));
    REQUIRE(scores[1] == Approx(0.2));
    REQUIRE(scores[4] == 0.5);
    REQUIRE(scores[5] == 0.5);
}

TEST_CASE("MASC ties go to the lowest class index, also with a repeated subspace", "[probe]") {
    const LayerSubspaces s = subspaces(3, {{0, 0, 1}, {1, 0, 0}, {1, 0, 0}});
    const Masc m(s);
    REQUIRE(predict_one(m, {5, 0, 1, 0, 1, 0}) == std::vector<int32_t>{1, 0});  // (0,1,0) scores 0 everywhere
}

TEST_CASE("MASC all-zero rows: class 0 by default, no prediction on request, counted either way", "[probe]") {
    const LayerSubspaces s = subspaces(2, {{0, 1}, {1, 0}});
    const std::vector<float> rows{0, 0, 3, 0, -0.0f, 0};
    int64_t zero_rows = -1;
    REQUIRE(predict_one(Masc(s), rows, &zero_rows) == std::vector<int32_t>{0, 1, 0});
    REQUIRE(zero_rows == 2);
    REQUIRE(predict_one(Masc(s, ZeroRowRule::NoPrediction), rows, &zero_rows) ==
            std::vector<int32_t>{kNoPrediction, 1, kNoPrediction});
    REQUIRE(zero_rows == 2);
    std::vector<double> scores(6, -1.0);
    Masc(s).score(rows.data(), 3, 0, scores.data());
    REQUIRE(scores == std::vector<double>{0, 0, 0, 1, 0, 0});

    // The tally: with NoPrediction a zero row is never correct, with LowestClass it is when its label is 0.
    const std::vector<int32_t> labels{0, 1, 0};
    const std::vector<const int32_t*> one{labels.data()};
    const Masc m_low(s), m_none(s, ZeroRowRule::NoPrediction);
    MascTally t_low(m_low, 1), t_none(m_none, 1);
    t_low.add(rows.data(), 3, one);
    t_none.add(rows.data(), 3, one);
    REQUIRE(t_low.correct(0, 0) == 3);
    REQUIRE(t_none.correct(0, 0) == 1);
    REQUIRE(t_low.zero_rows() == 2);
    REQUIRE(t_none.zero_rows() == 2);
}

TEST_CASE("MASC separates data drawn from distinct known subspaces perfectly (Gram and small routes)", "[probe]") {
    Rng rng(21);
    const int64_t d = 30, r = 3, K = 4;
    std::vector<std::vector<double>> bases(K, std::vector<double>(static_cast<size_t>(r * d)));
    for (auto& b : bases)
        for (double& v : b) v = rng.normal(0.0f, 1.0f);  // generic: the 4 three-dim subspaces are distinct
    for (int64_t n_train : {int64_t{200}, int64_t{10}}) {  // ≥ d: Gram route; < d: small route
        INFO(n_train << " training rows per class");
        ClassGram g("synthetic", d, K);
        for (int32_t c = 0; c < K; ++c) {
            const std::vector<float> x = draw(bases, d, r, n_train, c, rng);
            const std::vector<int32_t> y(static_cast<size_t>(n_train), c);
            g.add(x.data(), n_train, y.data());
        }
        const std::vector<LayerSubspaces> fit = fit_subspaces(g, ComponentCount{r});
        REQUIRE(fit[0].k_per_class() == std::vector<int64_t>(K, r));
        REQUIRE(fit[0].classes[0].small_sample == (n_train < d));
        const Masc m(fit[0]);
        MascTally tally(m, 1);
        for (int32_t c = 0; c < K; ++c) {
            const std::vector<float> x = draw(bases, d, r, 50, c, rng);
            const std::vector<int32_t> y(50, c);
            tally.add(x.data(), 50, std::vector<const int32_t*>{y.data()});
        }
        REQUIRE(tally.rows() == 200);
        REQUIRE(tally.accuracy(0, 0) == 1.0);
    }
}

TEST_CASE("MASC scores the same with complement bases (k > d/2) as with the top-k bases", "[probe]") {
    Rng rng(23);
    // Wide class subspaces: rank 18 of 24 dimensions, k from 14 to 18. (A k past the rank would cut
    // through the zero eigenvalues, where no particular split into U_c and U_c⊥ is defined.)
    const int64_t d = 24, r = 18, K = 3, n = 400;
    std::vector<std::vector<double>> bases(K, std::vector<double>(static_cast<size_t>(r * d)));
    for (auto& b : bases)
        for (double& v : b) v = rng.normal(0.0f, 1.0f);
    ClassGram g("wide", d, K);
    for (int32_t c = 0; c < K; ++c) {
        const std::vector<float> x = draw(bases, d, r, n, c, rng);
        const std::vector<int32_t> y(static_cast<size_t>(n), c);
        g.add(x.data(), n, y.data());
    }
    for (const Threshold& t : {Threshold{VarianceFraction{0.99}}, Threshold{ComponentCount{14}},
                               Threshold{ComponentCount{18}}}) {
        const LayerSubspaces top = fit_subspaces(g, t, Basis::TopK)[0];
        const LayerSubspaces small = fit_subspaces(g, t, Basis::Smaller)[0];
        REQUIRE(top.k_per_class() == small.k_per_class());
        for (const ClassSubspace& c : small.classes) REQUIRE(c.complement == (2 * c.k > d));
        REQUIRE(small.classes[0].complement);
        std::vector<float> rows;
        for (int32_t c = 0; c < K; ++c) {
            const std::vector<float> x = draw(bases, d, r, 40, c, rng);
            rows.insert(rows.end(), x.begin(), x.end());
        }
        for (int64_t i = 0; i < 10; ++i) rows.push_back(rng.normal(0.0f, 1.0f));  // off every subspace
        rows.resize(rows.size() + static_cast<size_t>(d - 10), 0.5f);
        const int64_t m = static_cast<int64_t>(rows.size()) / d;
        std::vector<double> s_top(static_cast<size_t>(m * K)), s_small(s_top.size());
        Masc(top).score(rows.data(), m, 0, s_top.data());
        Masc(small).score(rows.data(), m, 0, s_small.data());
        for (size_t i = 0; i < s_top.size(); ++i) REQUIRE(s_small[i] == Approx(s_top[i]).margin(1e-12));
        REQUIRE(predict_one(Masc(top), rows) == predict_one(Masc(small), rows));
    }
}

TEST_CASE("MASC with two subspace sets equals two single-set MASCs; the tally counts every pair", "[probe]") {
    Rng rng(22);
    const int64_t d = 16, n = 700;
    std::vector<float> x(static_cast<size_t>(n * d));
    for (float& v : x) v = std::max(0.0f, rng.normal(0.2f, 1.0f));  // ReLU-like, some all-zero rows possible
    std::vector<int32_t> truth(n), corrupt(n);
    for (int64_t i = 0; i < n; ++i) {
        truth[i] = static_cast<int32_t>(rng.randint(3));
        corrupt[i] = rng.uniform_double() < 0.5 ? static_cast<int32_t>(rng.randint(3)) : truth[i];
    }
    ClassGram g("relu", d, 3, 2);
    g.add(x.data(), n, std::vector<const int32_t*>{corrupt.data(), truth.data()});
    const std::vector<LayerSubspaces> fit = fit_subspaces(g, VarianceFraction{0.9});
    const Masc both({&fit[0], &fit[1]}), only_c(fit[0]), only_t(fit[1]);

    std::vector<int32_t> pc(n), pt(n);
    std::vector<int32_t*> outs{pc.data(), pt.data()};
    both.predict(x.data(), n, outs);
    REQUIRE(pc == predict_one(only_c, x));
    REQUIRE(pt == predict_one(only_t, x));

    MascTally tally(both, 2);
    for (int64_t b = 0; b < n; b += 100)
        tally.add(x.data() + b * d, 100, std::vector<const int32_t*>{corrupt.data() + b, truth.data() + b});
    for (int32_t s = 0; s < 2; ++s)
        for (int32_t l = 0; l < 2; ++l) {
            const std::vector<int32_t>& pred = s == 0 ? pc : pt;
            const std::vector<int32_t>& lab = l == 0 ? corrupt : truth;
            int64_t hits = 0;
            for (int64_t i = 0; i < n; ++i) hits += pred[i] == lab[i];
            REQUIRE(tally.correct(s, l) == hits);
        }
    REQUIRE(tally.rows() == n);
    REQUIRE_THROWS_AS(tally.add(x.data(), 1, std::vector<const int32_t*>{truth.data()}), Error);
}

TEST_CASE("MASC scores a class subspace repeated in a later set once and predicts it for both", "[probe]") {
    Rng rng(24);
    const int64_t d = 12, n = 400;
    std::vector<float> x(static_cast<size_t>(n * d));
    for (float& v : x) v = std::max(0.0f, rng.normal(0.2f, 1.0f));
    std::vector<int32_t> y(n);
    for (int32_t& v : y) v = static_cast<int32_t>(rng.randint(3));
    ClassGram g("relu", d, 3);
    g.add(x.data(), n, y.data());
    LayerSubspaces a = fit_subspaces(g, VarianceFraction{0.9})[0], b = a;
    const Masc single(a), twice({&a, &b});
    REQUIRE(twice.basis_rows() == single.basis_rows());
    std::vector<int32_t> p0(n), p1(n);
    std::vector<int32_t*> outs{p0.data(), p1.data()};
    twice.predict(x.data(), n, outs);
    REQUIRE(p0 == predict_one(single, x));
    REQUIRE(p1 == p0);
    // One class changed in the second set: only its columns are added.
    b.classes[1].basis[0] += 1e-3;
    const Masc differ({&a, &b});
    const int64_t k1 = b.classes[1].complement ? d - b.classes[1].k : b.classes[1].k;
    REQUIRE(differ.basis_rows() == single.basis_rows() + k1);
}

TEST_CASE("Masc refuses subspace sets that do not fit together", "[probe]") {
    const LayerSubspaces a = subspaces(2, {{1, 0}, {0, 1}}), b = subspaces(3, {{1, 0, 0}, {0, 1, 0}});
    REQUIRE_THROWS_AS(Masc({&a, &b}), Error);
    LayerSubspaces broken = a;
    broken.classes[0].k = 2;
    REQUIRE_THROWS_WITH(Masc(broken), Catch::Contains("expected k·d"));
}

TEST_CASE("MASC's float32 spans are whole float64 blocks, up to 4096 rows and about 2^25 projections (8192 rows on AMX)",
          "[probe]") {
    for (const int64_t k_all : {1, 100, 683, 3271, 9890, 13771, 40000, 1 << 20}) {
        INFO("k_all " << k_all);
        const int64_t block = Masc::block_rows(k_all), span = Masc::span_rows(k_all, block, false);
        REQUIRE(block >= 64);
        REQUIRE(block <= 1024);
        REQUIRE(span % block == 0);
        REQUIRE(span >= block);
        REQUIRE(span <= std::max<int64_t>(4096, block));
        // As many whole blocks as fit in 2^25 projections (at least one).
        REQUIRE((span == block || span * k_all <= (int64_t{1} << 25)));
        REQUIRE((span + block > 4096 || (span + block) * k_all > (int64_t{1} << 25)));
        // On AMX no projection block is held: as many whole blocks as fit in 8192 rows.
        const int64_t amx = Masc::span_rows(k_all, block, true);
        REQUIRE(amx % block == 0);
        REQUIRE(amx <= std::max<int64_t>(8192, block));
        REQUIRE(amx + block > 8192);
    }
    // The memorized MLP's second 2048-wide layer (k_all 9890): 8 blocks of 424 rows; 19 on AMX.
    REQUIRE(Masc::span_rows(9890, Masc::block_rows(9890), false) == 3392);
    REQUIRE(Masc::span_rows(9890, Masc::block_rows(9890), true) == 8056);
}
