// CIFAR-100, binary version (https://www.cs.toronto.edu/~kriz/cifar.html, cifar-100-binary.tar.gz):
// train.bin and test.bin, 2 label bytes (coarse < 20, fine < 100) + 3072 pixel bytes per record
// (cifar_records.h); the fine label is used, as in the paper. 50000 / 10000 samples of 3×32×32.
#pragma once

#include <string>

#include "data/dataset.h"

namespace probenet::data {

// Names are "<name>/train" and "<name>/test"; train_labels start equal to true_labels (fine labels).
TrainTest load_cifar100(const std::string& dir, const std::string& name, Scaling scaling = Scaling::MinusOneToOne);

}  // namespace probenet::data
