// load_cifar100: train.bin and test.bin of CIFAR-100's binary version, fine labels; see cifar100.h.
#include "data/cifar100.h"

#include <filesystem>

#include "data/cifar_records.h"

namespace probenet::data {

namespace {

constexpr int kCoarseClasses = 20, kFineClasses = 100;

Dataset load_file(const std::string& dir, const std::string& file, const std::string& name, Scaling scaling) {
    CifarRecords records;
    read_cifar_records((std::filesystem::path(dir) / file).string(), {kCoarseClasses, kFineClasses}, 1, records);
    return make_dataset(name, std::move(records.pixels), kCifarSampleShape, scaling, std::move(records.labels),
                        kFineClasses);
}

}  // namespace

TrainTest load_cifar100(const std::string& dir, const std::string& name, Scaling scaling) {
    return {load_file(dir, "train.bin", name + "/train", scaling), load_file(dir, "test.bin", name + "/test", scaling)};
}

}  // namespace probenet::data
