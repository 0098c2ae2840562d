// load_tiny_imagenet: list the files (classes and names sorted), then decode them in parallel straight
// into the dataset's u8 storage; see tiny_imagenet.h.
#include "data/tiny_imagenet.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "data/image_file.h"
#include "tensor/error.h"

namespace probenet::data {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kSide = 64;

struct Sample {
    std::string path;
    int32_t label;
};

void require_directory(const fs::path& dir, const std::string& what) {
    std::error_code ec;
    PROBENET_CHECK(fs::is_directory(dir, ec), dir.string(), ": missing (or not a folder); it should hold ", what);
}

// Names of the regular files (or directories) directly in `dir`, sorted bytewise.
std::vector<std::string> sorted_entries(const fs::path& dir, bool directories) {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
        std::error_code ec;
        if (directories ? e.is_directory(ec) : e.is_regular_file(ec)) names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// val_annotations.txt: file name → wnid.
std::map<std::string, std::string> read_val_annotations(const fs::path& path) {
    std::error_code ec;
    PROBENET_CHECK(fs::is_regular_file(path, ec), path.string(), ": missing; it labels the val images, one line per "
                   "image: file name, TAB, wnid, TAB, bounding box");
    std::ifstream in(path);
    PROBENET_CHECK(in, path.string(), ": cannot be opened");
    std::map<std::string, std::string> wnid_of;
    std::string line;
    for (int64_t number = 1; std::getline(in, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::istringstream fields(line);
        std::string file, wnid;
        std::getline(fields, file, '\t');
        std::getline(fields, wnid, '\t');
        PROBENET_CHECK(!file.empty() && !wnid.empty(), path.string(), ":", number, ": expected 'file<TAB>wnid…', got '",
                       line, "'");
        PROBENET_CHECK(wnid_of.emplace(file, wnid).second, path.string(), ":", number, ": ", file,
                       " is annotated twice");
    }
    PROBENET_CHECK(!wnid_of.empty(), path.string(), ": has no annotations");
    return wnid_of;
}

Dataset decode_all(const std::vector<Sample>& samples, const std::string& name, Scaling scaling, int num_classes) {
    const int64_t row = 3 * kSide * kSide, n = static_cast<int64_t>(samples.size());
    std::vector<uint8_t> pixels(static_cast<size_t>(n * row));
    std::string first_error;
    int64_t first_bad = n;
#pragma omp parallel for schedule(dynamic, 64)
    for (int64_t i = 0; i < n; ++i) {
        try {
            decode_rgb_image(samples[static_cast<size_t>(i)].path, kSide, kSide, pixels.data() + i * row);
        } catch (const std::exception& e) {
#pragma omp critical(probenet_tiny_imagenet_error)
            if (i < first_bad) first_bad = i, first_error = e.what();  // the first in file order, whatever the threads
        }
    }
    if (first_bad < n) throw Error(first_error);
    std::vector<int32_t> labels(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) labels[static_cast<size_t>(i)] = samples[static_cast<size_t>(i)].label;
    return make_dataset(name, std::move(pixels), Shape{3, kSide, kSide}, scaling, std::move(labels), num_classes);
}

}  // namespace

TrainTest load_tiny_imagenet(const std::string& dir, const std::string& name, Scaling scaling) {
    const fs::path root(dir), train_dir = root / "train", val_dir = root / "val";
    require_directory(train_dir, "one folder per class, train/<wnid>/images/*.JPEG");
    const std::vector<std::string> wnids = sorted_entries(train_dir, /*directories=*/true);
    PROBENET_CHECK(!wnids.empty(), train_dir.string(), ": has no class folders; expected train/<wnid>/images/*.JPEG");
    std::map<std::string, int32_t> class_of;
    std::vector<Sample> train;
    for (const std::string& wnid : wnids) {
        const int32_t label = static_cast<int32_t>(class_of.size());
        class_of[wnid] = label;
        const fs::path images = train_dir / wnid / "images";
        require_directory(images, "class " + wnid + "'s training images (*.JPEG)");
        const std::vector<std::string> files = sorted_entries(images, /*directories=*/false);
        PROBENET_CHECK(!files.empty(), images.string(), ": empty class folder; every class needs its training images");
        for (const std::string& f : files) train.push_back({(images / f).string(), label});
    }

    const fs::path val_images = val_dir / "images", annotations_path = val_dir / "val_annotations.txt";
    require_directory(val_images, "the validation images (*.JPEG), labelled by val/val_annotations.txt");
    std::map<std::string, std::string> wnid_of = read_val_annotations(annotations_path);
    std::vector<std::pair<int32_t, std::string>> val_order;  // (class, file name): ImageFolder's order
    for (const std::string& f : sorted_entries(val_images, /*directories=*/false)) {
        const auto a = wnid_of.find(f);
        PROBENET_CHECK(a != wnid_of.end(), (val_images / f).string(), ": has no line in ", annotations_path.string());
        const auto c = class_of.find(a->second);
        PROBENET_CHECK(c != class_of.end(), annotations_path.string(), ": ", f, " is annotated with ", a->second,
                       ", which is not a class folder in ", train_dir.string());
        val_order.emplace_back(c->second, f);
        wnid_of.erase(a);
    }
    PROBENET_CHECK(wnid_of.empty(), annotations_path.string(), ": annotates ", wnid_of.begin()->first, " but ",
                   (val_images / wnid_of.begin()->first).string(), " does not exist", wnid_of.size() > 1 ? " (nor " : "",
                   wnid_of.size() > 1 ? std::to_string(wnid_of.size() - 1) + " other files)" : "");
    std::sort(val_order.begin(), val_order.end());
    std::vector<Sample> val;
    for (const auto& [label, f] : val_order) val.push_back({(val_images / f).string(), label});

    PROBENET_CHECK(!val.empty(), val_images.string(), ": holds no images; the val set is the test set");
    const int classes = static_cast<int>(wnids.size());
    return {decode_all(train, name + "/train", scaling, classes), decode_all(val, name + "/test", scaling, classes)};
}

}  // namespace probenet::data
