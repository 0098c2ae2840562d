// load_mnist_format (declared in dataset.h): the four IDX files of MNIST or Fashion-MNIST into a
// TrainTest. images-idx3 (N, H, W) u8 → (N, 1, H, W) float32 scaled; labels-idx1 (N) u8 → int32.
#include <cstdint>

#include "data/dataset.h"
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

    Dataset d;
    d.name = name;
    d.num_classes = kMnistClasses;
    d.true_labels.resize(labels.values.size());
    for (size_t i = 0; i < labels.values.size(); ++i) {
        const int label = labels.values[i];
        PROBENET_CHECK(label < kMnistClasses, labels_path, ": label ", label, " of sample ", i, " is not below ",
                       kMnistClasses, "; MNIST-format datasets have 10 classes, so the file is corrupt; ",
                       "re-run `make data`");
        d.true_labels[i] = label;
    }
    d.train_labels = d.true_labels;
    const Shape shape{images.dims[0], 1, images.dims[1], images.dims[2]};
    d.images = pixels_to_tensor(images.values, shape, scaling);
    return d;
}

}  // namespace

TrainTest load_mnist_format(const std::string& dir, const std::string& name, Scaling scaling) {
    TrainTest tt{load_split(dir, "train", name + "/train", scaling), load_split(dir, "t10k", name + "/test", scaling)};
    PROBENET_CHECK(tt.train.images.dim(2) == tt.test.images.dim(2) && tt.train.images.dim(3) == tt.test.images.dim(3),
                   dir, ": training images are ", tt.train.images.dim(2), "×", tt.train.images.dim(3),
                   " but test images are ", tt.test.images.dim(2), "×", tt.test.images.dim(3),
                   "; the files come from different datasets");
    return tt;
}

}  // namespace probenet::data
