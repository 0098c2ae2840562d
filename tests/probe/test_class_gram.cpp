// The per-class streaming accumulator: sums against a naive Gram, batch-size independence, the
// dropping of raw rows at d rows, shared work for agreeing label sets, zero rows and bad labels.
#include <catch2/catch.hpp>

#include <vector>

#include "probe/class_gram.h"
#include "probe/pca.h"
#include "probe_test_util.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::probe;

namespace {
std::vector<float> random_rows(int64_t n, int64_t d, Rng& rng) {
    std::vector<float> x(static_cast<size_t>(n * d));
    for (float& v : x) v = rng.normal(0.0f, 1.0f);
    return x;
}

std::vector<int32_t> random_labels(int64_t n, uint32_t k, Rng& rng) {
    std::vector<int32_t> y(static_cast<size_t>(n));
    for (int32_t& v : y) v = static_cast<int32_t>(rng.randint(k));
    return y;
}

// Rows of `x` whose label is c.
std::vector<float> rows_of(const std::vector<float>& x, const std::vector<int32_t>& y, int32_t c, int64_t d) {
    std::vector<float> out;
    for (size_t i = 0; i < y.size(); ++i)
        if (y[i] == c) out.insert(out.end(), x.begin() + static_cast<int64_t>(i) * d, x.begin() + (i + 1) * d);
    return out;
}

void require_gram_equals(const ClassGram& g, int32_t set, int32_t c, const std::vector<double>& want) {
    const int64_t d = g.dim();
    const double* got = g.gram(set, c);
    for (int64_t j = 0; j < d; ++j)
        for (int64_t i = j; i < d; ++i) {
            INFO("set " << set << " class " << c << " G(" << i << "," << j << ")");
            REQUIRE(got[j * d + i] == Approx(want[j * d + i]).epsilon(1e-12).margin(1e-12));
        }
}
}  // namespace

TEST_CASE("ClassGram: per-class Gram, count and Σ‖x‖² against a naive sum", "[probe]") {
    Rng rng(1);
    const int64_t n = 300, d = 6;
    const std::vector<float> x = random_rows(n, d, rng);
    const std::vector<int32_t> y = random_labels(n, 3, rng);
    ClassGram g("fc", d, 3, 1, {.chunk_rows = 5});
    g.add(x.data(), n, y.data());
    g.flush();
    for (int32_t c = 0; c < 3; ++c) {
        const std::vector<float> xc = rows_of(x, y, c, d);
        const int64_t nc = static_cast<int64_t>(xc.size()) / d;
        REQUIRE(g.count(0, c) == nc);
        REQUIRE(g.has_gram(0, c));
        const std::vector<double> want = probe_test::naive_gram(xc.data(), nc, d);
        require_gram_equals(g, 0, c, want);
        double trace = 0;
        for (int64_t i = 0; i < d; ++i) trace += want[i * d + i];
        REQUIRE(g.sum_squares(0, c) == Approx(trace).epsilon(1e-13));
    }
    REQUIRE(g.rows() == n);
    REQUIRE(g.zero_rows() == 0);
}

TEST_CASE("ClassGram: batches of 7 give what one big batch gives", "[probe]") {
    Rng rng(2);
    const int64_t n = 500, d = 9;
    const std::vector<float> x = random_rows(n, d, rng);
    const std::vector<int32_t> y = random_labels(n, 4, rng);
    ClassGram whole("fc", d, 4, 1, {.chunk_rows = 16}), batched("fc", d, 4, 1, {.chunk_rows = 16});
    whole.add(x.data(), n, y.data());
    for (int64_t b = 0; b < n; b += 7) batched.add(x.data() + b * d, std::min<int64_t>(7, n - b), y.data() + b);
    whole.flush();
    batched.flush();
    for (int32_t c = 0; c < 4; ++c) {
        REQUIRE(batched.count(0, c) == whole.count(0, c));
        REQUIRE(batched.sum_squares(0, c) == whole.sum_squares(0, c));
        const double* w = whole.gram(0, c);
        require_gram_equals(batched, 0, c, std::vector<double>(w, w + d * d));
    }
}

TEST_CASE("ClassGram: raw rows are kept below d rows and dropped the moment the class reaches d", "[probe]") {
    Rng rng(3);
    const int64_t d = 8;
    const std::vector<float> x = random_rows(200, d, rng);
    const std::vector<int32_t> zeros(200, 0);
    ClassGram g("fc", d, 2, 1, {.chunk_rows = 4});

    g.add(x.data(), d - 1, zeros.data());
    REQUIRE_FALSE(g.has_gram(0, 0));
    REQUIRE(g.raw_rows_held(0, 0) == d - 1);
    REQUIRE(g.raw_rows(0, 0)[0] == x[0]);
    REQUIRE_THROWS_WITH(g.gram(0, 0), Catch::Contains("use raw_rows()"));

    g.add(x.data() + (d - 1) * d, 1, zeros.data());  // the d-th row
    REQUIRE(g.has_gram(0, 0));
    REQUIRE(g.raw_rows_held() == 0);
    REQUIRE_THROWS_WITH(g.raw_rows(0, 0), Catch::Contains("folded into the Gram"));

    g.add(x.data() + d * d, 3, zeros.data());
    REQUIRE(g.raw_rows_held(0, 0) == 3);  // waiting for a full chunk of 4
    REQUIRE_THROWS_WITH(g.gram(0, 0), Catch::Contains("call flush()"));
    g.add(x.data() + (d + 3) * d, 1, zeros.data());
    REQUIRE(g.raw_rows_held(0, 0) == 0);

    // However many rows follow, what is held stays below one chunk.
    for (int64_t i = d + 4; i < 200; i += 5) {
        g.add(x.data() + i * d, std::min<int64_t>(5, 200 - i), zeros.data());
        REQUIRE(g.raw_rows_held() < 4);
    }
    g.flush();
    REQUIRE(g.raw_rows_held() == 0);
    REQUIRE(g.count(0, 0) == 200);
    require_gram_equals(g, 0, 0, probe_test::naive_gram(x.data(), 200, d));
    REQUIRE(g.count(0, 1) == 0);
    REQUIRE_FALSE(g.has_gram(0, 1));
}

TEST_CASE("ClassGram: two label sets in one pass, shared or not, equal two separate accumulators", "[probe]") {
    Rng rng(4);
    const int64_t n = 900, d = 10;
    const std::vector<float> x = random_rows(n, d, rng);
    const std::vector<int32_t> truth = random_labels(n, 5, rng);
    std::vector<int32_t> corrupt = truth;
    for (int32_t& v : corrupt)  // corrupt about 40 %, so that most rows agree
        if (rng.uniform_double() < 0.4) v = static_cast<int32_t>(rng.randint(5));
    const std::vector<const int32_t*> both{corrupt.data(), truth.data()};

    ClassGram shared("fc", d, 5, 2, {.chunk_rows = 16, .share_agreeing = true});
    ClassGram unshared("fc", d, 5, 2, {.chunk_rows = 16, .share_agreeing = false});
    ClassGram only_corrupt("fc", d, 5), only_true("fc", d, 5);
    for (int64_t b = 0; b < n; b += 64) {
        const int64_t m = std::min<int64_t>(64, n - b);
        const std::vector<const int32_t*> batch{corrupt.data() + b, truth.data() + b};
        shared.add(x.data() + b * d, m, batch);
        unshared.add(x.data() + b * d, m, batch);
        only_corrupt.add(x.data() + b * d, m, corrupt.data() + b);
        only_true.add(x.data() + b * d, m, truth.data() + b);
    }
    for (ClassGram* g : {&shared, &unshared, &only_corrupt, &only_true}) g->flush();
    for (int32_t c = 0; c < 5; ++c) {
        for (int32_t s = 0; s < 2; ++s) {
            const ClassGram& single = s == 0 ? only_corrupt : only_true;
            REQUIRE(shared.count(s, c) == single.count(0, c));
            REQUIRE(unshared.count(s, c) == single.count(0, c));
            REQUIRE(shared.sum_squares(s, c) == Approx(single.sum_squares(0, c)).epsilon(1e-13));
            const double* want = single.gram(0, c);
            require_gram_equals(shared, s, c, std::vector<double>(want, want + d * d));
            require_gram_equals(unshared, s, c, std::vector<double>(want, want + d * d));
        }
    }
    REQUIRE(shared.rows() == n);
}

TEST_CASE("ClassGram: label_sets_agree holds until one row differs; then both sets are fitted", "[probe]") {
    Rng rng(5);
    const int64_t n = 300, d = 6;
    const std::vector<float> x = random_rows(n, d, rng);
    const std::vector<int32_t> truth = random_labels(n, 3, rng);
    std::vector<int32_t> other = truth;
    ClassGram g("fc", d, 3, 2);
    g.add(x.data(), 200, std::vector<const int32_t*>{truth.data(), other.data()});
    REQUIRE(g.label_sets_agree());
    const std::vector<LayerSubspaces> same = fit_subspaces(g, VarianceFraction{0.9});
    for (int32_t c = 0; c < 3; ++c) {
        REQUIRE(same[1].classes[c].k == same[0].classes[c].k);
        REQUIRE(same[1].classes[c].basis == same[0].classes[c].basis);
    }
    other[250] = (truth[250] + 1) % 3;
    g.add(x.data() + 200 * d, 100, std::vector<const int32_t*>{truth.data() + 200, other.data() + 200});
    REQUIRE_FALSE(g.label_sets_agree());
    const std::vector<LayerSubspaces> apart = fit_subspaces(g, VarianceFraction{0.9});
    const int32_t moved_to = other[250];
    REQUIRE(apart[1].classes[moved_to].count == apart[0].classes[moved_to].count + 1);
    REQUIRE(apart[1].classes[moved_to].eigenvalues != apart[0].classes[moved_to].eigenvalues);
}

TEST_CASE("ClassGram: all-zero rows are counted once per row and add nothing", "[probe]") {
    const int64_t d = 3;
    const std::vector<float> x{0, 0, 0, 1, 2, 3, 0, 0, 0, 0, -0.0f, 0};
    const std::vector<int32_t> y{0, 0, 1, 1}, y2{1, 0, 1, 0};
    ClassGram g("relu", d, 2, 2);
    g.add(x.data(), 4, std::vector<const int32_t*>{y.data(), y2.data()});
    REQUIRE(g.zero_rows() == 3);
    REQUIRE(g.rows() == 4);
    REQUIRE(g.count(0, 0) == 2);
    REQUIRE(g.sum_squares(0, 0) == 14.0);
    REQUIRE(g.sum_squares(0, 1) == 0.0);
}

TEST_CASE("ClassGram: bad labels and shapes are refused and leave the accumulator unchanged", "[probe]") {
    const std::vector<float> x{1, 2, 3, 4};
    const std::vector<int32_t> good{0, 1}, bad{0, 2};
    ClassGram g("fc2", 2, 2);
    REQUIRE_THROWS_WITH(g.add(x.data(), 2, bad.data()), Catch::Contains("layer fc2") && Catch::Contains("class 2"));
    REQUIRE(g.rows() == 0);
    REQUIRE(g.count(0, 0) == 0);
    REQUIRE_THROWS_WITH(g.add(x.data(), 2, std::vector<const int32_t*>{good.data(), good.data()}),
                        Catch::Contains("2 label arrays for 1 label sets"));
    REQUIRE_THROWS_AS(ClassGram("fc", 0, 2), Error);
    REQUIRE_THROWS_AS(ClassGram("fc", 4, 2, 1, {.chunk_rows = -1}), Error);
    REQUIRE_THROWS_AS(g.count(0, 5), Error);
}

TEST_CASE("ClassGram: automatic chunk size grows for narrow layers, an explicit one is kept", "[probe]") {
    REQUIRE(ClassGram("wide", 2048, 2).chunk_rows() == 256);
    REQUIRE(ClassGram("input", 784, 2).chunk_rows() == 256);
    REQUIRE(ClassGram("fc1", 128, 2).chunk_rows() == 2048);
    REQUIRE(ClassGram("tiny", 8, 2).chunk_rows() == 4096);
    REQUIRE(ClassGram("fc", 128, 2, 1, {.chunk_rows = 7}).chunk_rows() == 7);
}

TEST_CASE("ClassGram without Grams: the same counts, sums and zero rows, no Gram to read", "[probe]") {
    const int64_t d = 5, n = 40;
    std::vector<float> rows(static_cast<size_t>(n * d));
    std::vector<int32_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < d; ++j)
            rows[i * d + j] = i % 7 == 0 ? 0.0f : static_cast<float>((i * 3 + j * 5) % 11) - 4.0f;
        a[i] = static_cast<int32_t>(i % 3);
        b[i] = static_cast<int32_t>((i / 2) % 3);
    }
    ClassGram full("fc", d, 3, 2);
    ClassGram::Options moments_only;
    moments_only.grams = false;
    ClassGram sums("fc", d, 3, 2, moments_only);
    for (int64_t b0 = 0; b0 < n; b0 += 16) {
        const int64_t m = std::min<int64_t>(16, n - b0);
        const std::vector<const int32_t*> part = {a.data() + b0, b.data() + b0};
        full.add(rows.data() + b0 * d, m, part);
        sums.add(rows.data() + b0 * d, m, part);
    }
    full.flush();
    sums.flush();
    CHECK(sums.rows() == full.rows());
    CHECK(sums.zero_rows() == full.zero_rows());
    CHECK(sums.zero_rows() == 6);
    CHECK(sums.same_as(1) == full.same_as(1));
    for (int32_t s = 0; s < 2; ++s)
        for (int32_t c = 0; c < 3; ++c) {
            CHECK(sums.count(s, c) == full.count(s, c));
            CHECK(sums.sum_squares(s, c) == full.sum_squares(s, c));
            for (int64_t j = 0; j < d; ++j) CHECK(sums.sum(s, c)[j] == full.sum(s, c)[j]);
        }
    CHECK(sums.raw_rows_held() == 0);
    CHECK_THROWS_WITH(sums.full_gram(0, 0), Catch::Contains("without Grams"));
    CHECK_THROWS_WITH(sums.gram(0, 0), Catch::Contains("without Grams"));
}
