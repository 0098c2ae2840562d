// The paper grid's Table 1 rows from finished cells: mean and min–max over runs, each run's best
// layer, the gain mean(MASC) / mean(model) − 1, and the authors' published numbers beside them.
#include <catch2/catch.hpp>

#include <cmath>

#include "experiments/grid/table1.h"

using namespace probenet::experiments;
using Catch::Contains;

namespace {

CellResult cell(const std::string& pair, double p, int run, double model, double masc_corrupted, double masc_true) {
    CellResult c;
    c.pair = pair;
    c.corrupt = p;
    c.run = run;
    c.train_size = 10000;
    c.epochs = 200 + run;
    c.model_test = model;
    c.best_corrupted = masc_corrupted;
    c.best_true = masc_true;
    c.best_corrupted_layer = run == 1 ? "FC(2048)" : "FC(512)";
    c.best_true_layer = "FC(2048)";
    return c;
}

}  // namespace

TEST_CASE("table1 rows: spread over runs, gain, and the authors' numbers", "[experiments][paper]") {
    const std::vector<CellResult> cells{cell("cnn_fashion_mnist", 0.8, 1, 0.25, 0.70, 0.80),
                                        cell("mlp_mnist", 0.8, 2, 0.30, 0.76, 0.94),
                                        cell("mlp_mnist", 0.8, 1, 0.32, 0.80, 0.96)};
    const std::vector<Table1Row> rows = table1_rows(cells);
    REQUIRE(rows.size() == 2);
    const Table1Row& mlp = rows[0];  // the registry's order: mlp_mnist before cnn_fashion_mnist
    CHECK(mlp.pair == "mlp_mnist");
    CHECK(mlp.runs == std::vector<int>{2, 1});
    CHECK(mlp.model_test.mean == Approx(0.31));
    CHECK(mlp.model_test.min == Approx(0.30));
    CHECK(mlp.model_test.max == Approx(0.32));
    CHECK(mlp.masc_corrupted.mean == Approx(0.78));
    CHECK(mlp.gain == Approx(0.78 / 0.31 - 1));
    CHECK(mlp.best_corrupted_layers == "FC(512)/FC(2048)");
    CHECK(mlp.authors_model_test == Approx(0.321));
    CHECK(mlp.authors_masc_corrupted == Approx(0.834));
    CHECK(mlp.authors_gain == Approx(1.5993));
    CHECK(std::isnan(mlp.authors_masc_true));  // not published per p
    CHECK(rows[1].authors_masc_corrupted == Approx(0.739));

    const std::string md = table1_markdown(rows);
    CHECK_THAT(md, Contains("| mlp_mnist | 0.80 | 2, 1 | 10000 | 202 [201–202] | 0.3100 [0.3000–0.3200] | 0.3210 | "
                            "-0.0110 | 0.7800 [0.7600–0.8000] (FC(512)/FC(2048)) | 0.834 | -0.0540 | +151.6 % | "
                            "+159.93 % | -8.3 pts | 0.9500 [0.9400–0.9600] (FC(2048)) | — | — |"));
    const std::string csv = table1_csv(rows);
    CHECK_THAT(csv, Contains("\nmlp_mnist,0.80,2 1,10000,201.5,0.3100,0.3000,0.3200,0.3210,-0.0110,0.7800,"));
}
