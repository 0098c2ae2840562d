// Shape: the extent of each axis of a row-major tensor, outermost first, e.g. (N, C, H, W).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace probenet {

using Shape = std::vector<int64_t>;

// Product of the extents; 1 for a rank-0 (scalar) shape.
int64_t shape_numel(const Shape& shape);

// "(32, 784)" — used in every shape error.
std::string shape_str(const Shape& shape);

}  // namespace probenet
