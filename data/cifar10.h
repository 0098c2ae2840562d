// CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html, cifar-10-binary.tar.gz):
// data_batch_1.bin … data_batch_5.bin (training, in that order) and test_batch.bin, 1 label byte
// (< 10) + 3072 pixel bytes per record (cifar_records.h). 50000 / 10000 samples of 3×32×32.
#pragma once

#include <string>

#include "data/dataset.h"

namespace probenet::data {

// Names are "<name>/train" and "<name>/test"; train_labels start equal to true_labels.
TrainTest load_cifar10(const std::string& dir, const std::string& name, Scaling scaling = Scaling::MinusOneToOne);

}  // namespace probenet::data
