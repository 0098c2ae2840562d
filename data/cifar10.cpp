// load_cifar10: the six record files of CIFAR-10's binary version; see cifar10.h.
#include "data/cifar10.h"

#include <filesystem>

#include "data/cifar_records.h"

namespace probenet::data {

namespace {

constexpr int kCifar10Classes = 10;

Dataset load_files(const std::string& dir, const std::vector<std::string>& files, const std::string& name,
                   Scaling scaling) {
    CifarRecords records;
    for (const std::string& file : files)
        read_cifar_records((std::filesystem::path(dir) / file).string(), {kCifar10Classes}, 0, records);
    return make_dataset(name, std::move(records.pixels), kCifarSampleShape, scaling, std::move(records.labels),
                        kCifar10Classes);
}

}  // namespace

TrainTest load_cifar10(const std::string& dir, const std::string& name, Scaling scaling) {
    return {load_files(dir, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                             "data_batch_5.bin"},
                       name + "/train", scaling),
            load_files(dir, {"test_batch.bin"}, name + "/test", scaling)};
}

}  // namespace probenet::data
