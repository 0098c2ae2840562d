// The layer record: CSV columns in the agreed order, quoting, and the best-layer choice.
#include <catch2/catch.hpp>

#include "probe/class_gram.h"
#include "probe/layer_report.h"
#include "probe/masc.h"
#include "probe/pca.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::probe;

namespace {
LayerReport report(const std::string& layer, SubspaceLabels labels, double test) {
    LayerReport r;
    r.layer = layer;
    r.dim = 128;
    r.subspaces = labels;
    r.k_per_class = {3, 1, 4};
    r.zero_rows = 7;
    r.masc_train_corrupt = 0.25;
    r.masc_train_true = 0.5;
    r.masc_test = test;
    return r;
}
}  // namespace

TEST_CASE("LayerReport CSV: header and a line in the agreed column order", "[probe]") {
    REQUIRE(csv_header() ==
            "layer,dim,subspaces,k_total,k_per_class,zero_rows,masc_train_corrupt,masc_train_true,masc_test");
    REQUIRE(csv_line(report("fc1", SubspaceLabels::True, 0.8234)) ==
            "fc1,128,true,8,3;1;4,7,0.250000,0.500000,0.823400");
    REQUIRE(csv_line(report("fc1", SubspaceLabels::Corrupted, 1.0 / 3)).find(",corrupted,") != std::string::npos);
    REQUIRE(csv_line(report("odd,\"name\"", SubspaceLabels::True, 0)).rfind("\"odd,\"\"name\"\"\",128,", 0) == 0);
}

TEST_CASE("best_layer: highest test accuracy among the chosen subspaces, first on ties, gain vs the model",
          "[probe]") {
    const std::vector<LayerReport> reports{
        report("input", SubspaceLabels::Corrupted, 0.711), report("fc1", SubspaceLabels::Corrupted, 0.804),
        report("fc2", SubspaceLabels::True, 0.95),          report("fc3", SubspaceLabels::Corrupted, 0.804),
        report("fc4", SubspaceLabels::Corrupted, 0.697),
    };
    const BestLayer best = best_layer(reports, SubspaceLabels::Corrupted, 0.321);
    REQUIRE(best.index == 1);
    REQUIRE(best.accuracy == 0.804);
    REQUIRE(best.relative_gain == Approx((0.804 - 0.321) / 0.321));
    REQUIRE(best_layer(reports, SubspaceLabels::True, 0.5).index == 2);
    REQUIRE_THROWS_AS(best_layer({reports[2]}, SubspaceLabels::Corrupted, 0.5), Error);
    REQUIRE_THROWS_AS(best_layer(reports, SubspaceLabels::Corrupted, 0.0), Error);
}

TEST_CASE("layer_reports: the two records of a layer from its fit and its tallies", "[probe]") {
    Rng rng(31);
    const int64_t d = 6, n = 120;
    std::vector<float> x(static_cast<size_t>(n * d));
    for (float& v : x) v = std::max(0.0f, rng.normal(0.0f, 1.0f));
    x[0] = x[1] = x[2] = x[3] = x[4] = x[5] = 0.0f;  // one all-zero training row
    std::vector<int32_t> truth(n), corrupt(n);
    for (int64_t i = 0; i < n; ++i) {
        truth[i] = static_cast<int32_t>(i % 3);
        corrupt[i] = static_cast<int32_t>(rng.randint(3));
    }
    ClassGram grams("fc9", d, 3, 2);
    grams.add(x.data(), n, std::vector<const int32_t*>{corrupt.data(), truth.data()});
    const std::vector<LayerSubspaces> fit = fit_subspaces(grams, ComponentCount{2});
    const Masc masc({&fit[0], &fit[1]});
    MascTally train(masc, 2), test(masc, 1);
    train.add(x.data(), n, std::vector<const int32_t*>{corrupt.data(), truth.data()});
    test.add(x.data() + 60 * d, 60, std::vector<const int32_t*>{truth.data() + 60});

    REQUIRE(train.zero_rows() >= 1);
    const std::array<LayerReport, 2> r = layer_reports(fit, train, test);
    for (int32_t s = 0; s < 2; ++s) {
        INFO("subspace set " << s);
        REQUIRE(r[s].layer == "fc9");
        REQUIRE(r[s].dim == d);
        REQUIRE(r[s].subspaces == (s == 0 ? SubspaceLabels::Corrupted : SubspaceLabels::True));
        REQUIRE(r[s].k_per_class == std::vector<int64_t>{2, 2, 2});
        REQUIRE(r[s].zero_rows == train.zero_rows() + test.zero_rows());
        REQUIRE(r[s].masc_train_corrupt == train.accuracy(s, 0));
        REQUIRE(r[s].masc_train_true == train.accuracy(s, 1));
        REQUIRE(r[s].masc_test == test.accuracy(s, 0));
    }
    REQUIRE_THROWS_AS(layer_reports({fit[0]}, train, test), Error);
    REQUIRE_THROWS_AS(layer_reports(fit, test, test), Error);  // a test tally has no second label array
}
