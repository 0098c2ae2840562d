// The paper's Figure 2 for one pair from the grid's finished cells: one panel per corruption degree,
// MASC accuracy per layer with corrupted-label subspaces — test accuracy, and train accuracy against
// the corrupted and against the true labels — as the mean over runs with min–max bars, and the model's
// own train (dashed) and test (dotted) accuracy as horizontal lines (means over runs), as the paper
// draws it.
#pragma once

#include <string>
#include <vector>

#include "experiments/grid/cell_result.h"

namespace probenet::experiments {

// The SVG for `pair` (cells of other pairs are ignored); "" when it has no finished cell.
std::string figure2_svg(const std::string& pair, const std::vector<CellResult>& cells);

}  // namespace probenet::experiments
