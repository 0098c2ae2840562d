// The layer record: CSV columns in the agreed order, quoting, and the best-layer choice.
#include <catch2/catch.hpp>

#include "probe/layer_report.h"
#include "tensor/error.h"

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
