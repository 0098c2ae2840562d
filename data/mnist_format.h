// The MNIST file format (MNIST, Fashion-MNIST): four IDX files in one folder.
#pragma once

#include <string>

#include "data/dataset.h"

namespace probenet::data {

// Loads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte from `dir` (each plain or .gz). Images (N, H, W) become samples (1, H, W);
// labels must number N and be < 10. Names are "<name>/train" and "<name>/test"; train_labels start
// equal to true_labels.
TrainTest load_mnist_format(const std::string& dir, const std::string& name,
                            Scaling scaling = Scaling::MinusOneToOne);

}  // namespace probenet::data
