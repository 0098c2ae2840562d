// The dataset registry: every dataset an experiment can name, what it needs, and how to open it.
//
// An entry knows its reader, its pixel scaling (docs/protocol.md: [−1, 1] for MNIST, Fashion-MNIST and
// CIFAR, [0, 1] for Tiny ImageNet), its label-corruption mask rule (label_corruption.h), its default
// folder, the files or layout it expects and where the data comes from — the last two end every
// error opening it, so a missing or wrong folder says what to put there.
// Adding a dataset = one reader (data/<format>.{h,cpp}) + one line in dataset_registry.cpp.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/label_corruption.h"

namespace probenet::data {

struct DatasetInfo {
    std::string name;         // "cifar10": what a Protocol names
    std::string default_dir;  // default --data, relative to the working directory
    Scaling scaling;
    MaskRule mask_rule;
    std::string layout;       // the files or folder layout expected in the folder
    std::string source;       // where the dataset comes from
    TrainTest (*load)(const std::string& dir, const std::string& name, Scaling scaling);
};

// All registered datasets, in a fixed order.
const std::vector<DatasetInfo>& registered_datasets();

// The entry named `name`; throws listing the registered names.
const DatasetInfo& dataset_info(const std::string& name);

// Loads dataset `name` from `dir` with the entry's scaling. Any failure (missing folder or file, bad
// data) throws one message: what is wrong with which file, then the expected layout and the source.
TrainTest open(const std::string& name, const std::string& dir);

}  // namespace probenet::data
