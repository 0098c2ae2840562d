// Rng and corrupt_labels against numpy's legacy RandomState, value for value. Every expected vector
// below was printed by the /usr/bin/python3 command (numpy 1.24.2) quoted above it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "data/label_corruption.h"
#include "tensor/error.h"
#include "tensor/random.h"

using namespace probenet;
using namespace probenet::data;

namespace {

std::vector<int32_t> draw_choice(Rng& rng, uint32_t k, int n) {
    std::vector<int32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<int32_t>(rng.randint(k)));
    return out;
}

}  // namespace

TEST_CASE("Rng reproduces numpy's rand and choice after seed(42)", "[data]") {
    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(42); print(np.random.rand(5).tolist())'
    const std::vector<double> rand5{0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366,
                                    0.15601864044243652};
    Rng rng(42);
    for (double expected : rand5) REQUIRE(rng.uniform_double() == expected);

    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(42); print(np.random.choice(10, 20).tolist())'
    Rng fresh(42);
    REQUIRE(draw_choice(fresh, 10, 20) ==
            std::vector<int32_t>{6, 3, 7, 4, 6, 9, 2, 6, 7, 4, 3, 7, 7, 2, 5, 4, 1, 7, 5, 1});

    // As the corruption draws: rand(N) first, then choice.
    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(42); np.random.rand(7); print(np.random.choice(10, 20).tolist())'
    Rng after_rand(42);
    for (int i = 0; i < 7; ++i) after_rand.uniform_double();
    REQUIRE(draw_choice(after_rand, 10, 20) ==
            std::vector<int32_t>{7, 4, 3, 7, 7, 2, 5, 4, 1, 7, 5, 1, 4, 0, 9, 5, 8, 0, 9, 2});

    // Class counts that are not one below a power of two (rejection sampling actually rejects).
    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(42); print(np.random.choice(200, 10).tolist(), np.random.choice(100, 10).tolist())'
    Rng big(42);
    REQUIRE(draw_choice(big, 200, 10) == std::vector<int32_t>{102, 179, 92, 14, 106, 71, 188, 20, 102, 121});
    REQUIRE(draw_choice(big, 100, 10) == std::vector<int32_t>{82, 86, 74, 74, 87, 99, 23, 2, 21, 52});
}

TEST_CASE("corrupt_labels matches numpy's reference snippet", "[data]") {
    std::vector<int32_t> labels;
    for (int i = 0; i < 50; ++i) labels.push_back((7 * i + 3) % 10);
    // /usr/bin/python3 -c '
    // import numpy as np
    // labels = np.array([(7 * i + 3) % 10 for i in range(50)])
    // np.random.seed(42); mask = np.random.rand(50) <= 0.5; labels[mask] = np.random.choice(10, mask.sum())
    // print(mask.sum(), labels.tolist())'
    // (mask.sum() printed 28)
    const std::vector<int32_t> expected{1, 0, 7, 4, 9, 1, 9, 2, 9, 6, 3, 0, 7, 7, 6, 8, 7, 2, 4, 1, 3, 4, 7, 9, 8,
                                        8, 8, 2, 9, 0, 3, 8, 6, 4, 1, 8, 8, 7, 9, 0, 7, 7, 2, 4, 0, 8, 7, 2, 9, 2};
    REQUIRE(corrupt_labels(labels, 0.5, 10) == expected);
    REQUIRE(corrupt_labels(labels, 0.5, 10, 42, MaskRule::AtMost) == expected);

    // Tiny ImageNet's rule (`rand < p`), 200 classes, another seed.
    std::vector<int32_t> tiny;
    for (int i = 0; i < 30; ++i) tiny.push_back(i % 200);
    // /usr/bin/python3 -c '
    // import numpy as np
    // labels = np.array([i % 200 for i in range(30)])
    // np.random.seed(3); mask = np.random.rand(30) < 0.6; labels[mask] = np.random.choice(200, mask.sum())
    // print(mask.sum(), labels.tolist())'
    // (mask.sum() printed 22)
    REQUIRE(corrupt_labels(tiny, 0.6, 200, 3, MaskRule::Below) ==
            std::vector<int32_t>{28, 1, 119, 54, 4, 5, 0, 192, 18, 116, 191, 165, 12, 184, 14,
                                 184, 199, 165, 174, 33, 113, 21, 1, 85, 117, 25, 119, 124, 99, 29});
}

TEST_CASE("corrupt_labels edge cases: p = 0, p = 1, empty input", "[data]") {
    const std::vector<int32_t> labels{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1};
    REQUIRE(corrupt_labels(labels, 0.0, 10) == labels);
    REQUIRE(corrupt_labels(labels, 0.0, 10, 42, MaskRule::Below) == labels);
    REQUIRE(corrupt_labels({}, 0.7, 10).empty());

    // p = 1: every sample is redrawn, so the result is choice(K, N) right after rand(N).
    Rng rng(42);
    for (size_t i = 0; i < labels.size(); ++i) rng.uniform_double();
    const std::vector<int32_t> redrawn = draw_choice(rng, 10, static_cast<int>(labels.size()));
    REQUIRE(corrupt_labels(labels, 1.0, 10) == redrawn);
    REQUIRE(corrupt_labels(labels, 1.0, 10, 42, MaskRule::Below) == redrawn);

    REQUIRE(count_equal(labels, labels) == 12);
    REQUIRE(count_equal(labels, std::vector<int32_t>(12, 0)) == 2);
}

TEST_CASE("corrupt_labels rejects bad arguments with clear errors", "[data]") {
    const std::vector<int32_t> labels{0, 1, 2};
    REQUIRE_THROWS_WITH(corrupt_labels(labels, 1.5, 10), Catch::Contains("p = 1.5") && Catch::Contains("[0, 1]"));
    REQUIRE_THROWS_WITH(corrupt_labels(labels, -0.1, 10), Catch::Contains("outside [0, 1]"));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(corrupt_labels(labels, nan, 10), Catch::Contains("outside [0, 1]"));
    REQUIRE_THROWS_WITH(corrupt_labels(labels, 0.2, 0), Catch::Contains("num_classes = 0"));
    REQUIRE_THROWS_WITH(corrupt_labels(labels, 0.2, 2),
                        Catch::Contains("label 2 of sample 2") && Catch::Contains("[0, 2)"));
    REQUIRE_THROWS_WITH(corrupt_labels({0, -1}, 0.2, 10), Catch::Contains("label -1 of sample 1"));
    REQUIRE_THROWS_WITH(count_equal(std::vector<int32_t>{0}, std::vector<int32_t>{0, 1}), Catch::Contains("differ in length"));
}
