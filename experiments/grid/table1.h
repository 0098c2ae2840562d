// The paper's Table 1 from the grid's finished cells, beside the authors' numbers: per pair and p,
// over the runs present, the model's test accuracy, the best layer's MASC test accuracy with
// corrupted- and with true-label subspaces (each run's best layer, as the authors average them), and
// the relative gain of the corrupted-label best layer over the model, mean(MASC) / mean(model) − 1
// (the authors' Table 1) — each as mean and min–max over runs, with the authors' published value
// (experiments/protocols/<pair>.cpp) and the difference in a column beside it.
#pragma once

#include <string>
#include <vector>

#include "experiments/grid/cell_result.h"

namespace probenet::experiments {

struct Spread {
    double mean = 0, min = 0, max = 0;
    int n = 0;
};

struct Table1Row {
    std::string pair;
    double corrupt = 0;
    std::vector<int> runs;
    std::string train_size;  // "10000", "all", or "mixed (…)" when runs differ
    Spread epochs, model_test, masc_corrupted, masc_true;
    double gain = 0;                       // mean(masc_corrupted) / mean(model_test) − 1
    std::string best_corrupted_layers, best_true_layers;  // each run's best layer label, "/"-joined when they differ
    double authors_model_test, authors_masc_corrupted, authors_masc_true, authors_gain;  // NaN: unpublished
};

std::vector<Table1Row> table1_rows(const std::vector<CellResult>& cells);

std::string table1_csv(const std::vector<Table1Row>& rows);
std::string table1_markdown(const std::vector<Table1Row>& rows);

}  // namespace probenet::experiments
