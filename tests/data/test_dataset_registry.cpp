// The dataset registry: every dataset the paper uses, with its scaling and label-corruption rule from
// docs/protocol.md, a default folder, and errors for unknown names.
#include <catch2/catch.hpp>

#include "data/dataset_registry.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::data;
using Catch::Contains;

TEST_CASE("dataset registry: scaling, mask rule and folder of each dataset", "[data]") {
    struct Want {
        const char* name;
        Scaling scaling;
        MaskRule rule;
        const char* dir;
    };
    for (const Want w : {Want{"mnist", Scaling::MinusOneToOne, MaskRule::AtMost, "data/mnist"},
                         Want{"fashion-mnist", Scaling::MinusOneToOne, MaskRule::AtMost, "data/fashion-mnist"},
                         Want{"cifar10", Scaling::MinusOneToOne, MaskRule::AtMost, "data/cifar10"},
                         Want{"cifar100", Scaling::MinusOneToOne, MaskRule::AtMost, "data/cifar100"},
                         Want{"tiny-imagenet", Scaling::ZeroToOne, MaskRule::Below, "data/tiny-imagenet"}}) {
        INFO(w.name);
        const DatasetInfo& info = dataset_info(w.name);
        CHECK(info.scaling == w.scaling);
        CHECK(info.mask_rule == w.rule);
        CHECK(info.default_dir == w.dir);
        CHECK_FALSE(info.layout.empty());
        CHECK_FALSE(info.source.empty());
    }
    REQUIRE(registered_datasets().size() == 5);
    REQUIRE_THROWS_WITH(dataset_info("imagenet"), Contains("unknown dataset 'imagenet'") && Contains("cifar100") &&
                                                      Contains("tiny-imagenet"));
    REQUIRE_THROWS_WITH(open("imagenet", "."), Contains("unknown dataset"));
}

TEST_CASE("each dataset's corruption rule: rand <= p (CIFAR) against rand < p (Tiny ImageNet)", "[data]") {
    // numpy seed 42 draws 0.3745401188473625, 0.9507, 0.7320, 0.5987, 0.1560 for five samples; with p equal
    // to the first draw exactly:
    // /usr/bin/python3 -c 'import numpy as np; np.random.seed(42); r = np.random.rand(5); l = np.zeros(5, int);
    //   np.random.seed(42); m = np.random.rand(5) <= r[0]; l[m] = np.random.choice(200, m.sum()); print(l)'
    // gives [74 0 0 0 87]; with `<` only the last sample is redrawn, taking the first choice, 74.
    const double first = 0.3745401188473625;
    const std::vector<int32_t> labels(5, 0);
    REQUIRE(corrupt_labels(labels, first, 200, 42, dataset_info("cifar100").mask_rule) ==
            std::vector<int32_t>{74, 0, 0, 0, 87});
    REQUIRE(corrupt_labels(labels, first, 200, 42, dataset_info("tiny-imagenet").mask_rule) ==
            std::vector<int32_t>{0, 0, 0, 0, 74});
    REQUIRE(corrupt_labels(labels, 0.0, 200, 42, dataset_info("tiny-imagenet").mask_rule) == labels);
}
