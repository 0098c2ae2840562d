// TrainingHealth: a dead (input-independent) or exploded network is reported; a live one never is.
#include <catch2/catch.hpp>

#include "experiments/common/training_health.h"

using namespace probenet;
using namespace probenet::experiments;

namespace {
Tensor logits(std::vector<float> values, int64_t rows) {
    const int64_t k = static_cast<int64_t>(values.size()) / rows;
    return Tensor::from_vector({rows, k}, values);
}
}  // namespace

TEST_CASE("identical logits for every row of every batch mean a dead network", "[experiments][health]") {
    TrainingHealth health(3);
    health.start_epoch();
    health.add_batch(logits({0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f}, 2), 1.0986);
    health.add_batch(logits({0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f}, 3), 1.0986);
    const auto problem = health.problem(7);
    REQUIRE(problem);
    REQUIRE_THAT(*problem, Catch::Contains("died at epoch 7") && Catch::Contains("lower --lr"));
}

TEST_CASE("one batch whose rows differ makes the epoch alive", "[experiments][health]") {
    TrainingHealth health(3);
    health.start_epoch();
    health.add_batch(logits({0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f}, 2), 1.0986);
    health.add_batch(logits({0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.30001f}, 2), 1.0986);
    REQUIRE_FALSE(health.problem(1));
    // Single-row batches are no evidence either way.
    health.start_epoch();
    health.add_batch(logits({0.1f, 0.2f, 0.3f}, 1), 1.0);
    REQUIRE_FALSE(health.problem(2));
    // A new epoch starts from a clean slate: the dead verdict is per epoch.
    health.start_epoch();
    health.add_batch(logits({1, 1, 1, 1, 1, 1}, 2), 1.0986);
    REQUIRE(health.problem(3));
}

TEST_CASE("a mean loss a thousand times ln K means the weights exploded", "[experiments][health]") {
    TrainingHealth health(10);
    health.start_epoch();
    health.add_batch(logits({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 2), 3e20);
    health.add_batch(logits({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 2), 2.3);
    const auto problem = health.problem(1);
    REQUIRE(problem);
    REQUIRE_THAT(*problem, Catch::Contains("exploded at epoch 1"));
    // Just under the bound is a (bad but) live run.
    health.start_epoch();
    health.add_batch(logits({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, 2), 2000.0);
    REQUIRE_FALSE(health.problem(2));
}
