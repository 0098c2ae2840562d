// The layer record: CSV columns in the agreed order (a probe and threshold column, one train_ column
// per label set), quoting, and the best-layer choice per probe, threshold and label set.
#include <catch2/catch.hpp>

#include "probe/layer_report.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::probe;

namespace {
LayerReport report(const std::string& layer, const std::string& labels, double test, const std::string& probe = "masc",
                   const std::string& threshold = "0.99") {
    LayerReport r;
    r.layer = layer;
    r.dim = 128;
    r.probe = probe;
    r.threshold = threshold;
    r.subspaces = labels;
    if (probe == "masc") r.k_per_class = {3, 1, 4};
    r.zero_rows = 7;
    r.train = {0.25, 0.5};
    r.test = test;
    return r;
}
}  // namespace

TEST_CASE("LayerReport CSV: header and a line in the agreed column order", "[probe]") {
    REQUIRE(csv_header({"corrupted", "true"}) ==
            "layer,dim,probe,threshold,subspaces,k_total,k_per_class,zero_rows,train_corrupted,train_true,test");
    REQUIRE(csv_header({"corrupted", "true", "p0.8"}).find(",train_true,train_p0.8,test") != std::string::npos);
    REQUIRE(csv_line(report("fc1", "true", 0.8234)) == "fc1,128,masc,0.99,true,8,3;1;4,7,0.250000,0.500000,0.823400");
    REQUIRE(csv_line(report("fc1", "corrupted", 0.5, "knn", "")) == "fc1,128,knn,,corrupted,0,,7,0.250000,0.500000,0.500000");
    REQUIRE(csv_line(report("odd,\"name\"", "true", 0)).rfind("\"odd,\"\"name\"\"\",128,", 0) == 0);
    REQUIRE(report("fc1", "true", 0).probe_name() == "masc 0.99");
    REQUIRE(report("fc1", "true", 0, "lda", "").probe_name() == "lda");
}

TEST_CASE("best_layer: highest test accuracy among the chosen probe and labels, first on ties, gain vs the model",
          "[probe]") {
    const std::vector<LayerReport> reports{
        report("input", "corrupted", 0.711), report("fc1", "corrupted", 0.804),
        report("fc2", "true", 0.95),          report("fc3", "corrupted", 0.804),
        report("fc4", "corrupted", 0.697),    report("fc4", "corrupted", 0.99, "knn", ""),
        report("fc2", "corrupted", 0.9, "masc", "0.5"),
    };
    const BestLayer best = best_layer(reports, "masc", "0.99", "corrupted", 0.321);
    REQUIRE(best.index == 1);
    REQUIRE(best.accuracy == 0.804);
    REQUIRE(best.relative_gain == Approx((0.804 - 0.321) / 0.321));
    REQUIRE(best_layer(reports, "masc", "0.99", "true", 0.5).index == 2);
    REQUIRE(best_layer(reports, "knn", "", "corrupted", 0.5).index == 5);
    REQUIRE(best_layer(reports, "masc", "0.5", "corrupted", 0.5).index == 6);
    REQUIRE_THROWS_AS(best_layer({reports[2]}, "masc", "0.99", "corrupted", 0.5), Error);
    REQUIRE_THROWS_AS(best_layer(reports, "masc", "0.99", "corrupted", 0.0), Error);
}
