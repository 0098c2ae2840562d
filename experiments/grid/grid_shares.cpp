#include "experiments/grid/grid_shares.h"

#include <algorithm>
#include <numeric>

#include "tensor/error.h"

namespace probenet::experiments {

std::vector<size_t> longest_first(const std::vector<double>& seconds) {
    std::vector<size_t> order(seconds.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return seconds[a] > seconds[b]; });
    return order;
}

std::vector<int> assign_shares(const std::vector<double>& seconds, int shares) {
    PROBENET_CHECK(shares >= 1, "assign_shares: need at least one share, got ", shares);
    std::vector<int> share(seconds.size(), 0);
    std::vector<double> load(static_cast<size_t>(shares), 0.0);
    for (size_t cell : longest_first(seconds)) {
        const size_t least = static_cast<size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        share[cell] = static_cast<int>(least);
        load[least] += seconds[cell];
    }
    return share;
}

}  // namespace probenet::experiments
