// load_mnist_format: the four IDX files of MNIST or Fashion-MNIST into a TrainTest.
// images-idx3 (N, H, W) u8 → N samples (1, H, W) kept as u8; labels-idx1 (N) u8 → int32.
#include "data/mnist_format.h"

#include <cstdint>

#include "data/idx_reader.h"
#include "tensor/error.h"

namespace probenet::data {

namespace {

constexpr int kMnistClasses = 10;

Dataset load_split(const std::string& dir, const std::string& prefix, const std::string& name, Scaling scaling) {
    const std::string images_path = find_idx_file(dir, prefix + "-images-idx3-ubyte");
    const std::string labels_path = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
    const IdxArray labels = read_idx(labels_path);
    PROBENET_CHECK(labels.dims.size() == 1, labels_path, ": a label file must have rank 1, this one has rank ",
                   labels.dims.size(), "; are the image and label files swapped?");
    IdxArray images = read_idx(images_path);
    PROBENET_CHECK(images.dims.size() == 3, images_path,
                   ": an image file must have rank 3 (N, H, W), this one has rank ", images.dims.size(),
                   "; are the image and label files swapped?");
    PROBENET_CHECK(images.dims[0] == labels.dims[0], images_path, " holds ", images.dims[0], " images but ",
                   labels_path, " holds ", labels.dims[0], " labels; one of them is from another dataset or version; "
                   "re-run `make data`");

    std::vector<int32_t> true_labels(labels.values.size());
    for (size_t i = 0; i < labels.values.size(); ++i) {
        const int label = labels.values[i];
        PROBENET_CHECK(label < kMnistClasses, labels_path, ": label ", label, " of sample ", i, " is not below ",
                       kMnistClasses, "; MNIST-format datasets have 10 classes, so the file is corrupt; ",
                       "re-run `make data`");
        true_labels[i] = label;
    }
    return make_dataset(name, std::move(images.values), Shape{1, images.dims[1], images.dims[2]}, scaling,
                        std::move(true_labels), kMnistClasses);
}

}  // namespace

TrainTest load_mnist_format(const std::string& dir, const std::string& name, Scaling scaling) {
    TrainTest tt{load_split(dir, "train", name + "/train", scaling), load_split(dir, "t10k", name + "/test", scaling)};
    PROBENET_CHECK(tt.train.sample_shape == tt.test.sample_shape,
                   dir, ": training images are ", tt.train.sample_shape[1], "×", tt.train.sample_shape[2],
                   " but test images are ", tt.test.sample_shape[1], "×", tt.test.sample_shape[2],
                   "; the files come from different datasets");
    return tt;
}

}  // namespace probenet::data
