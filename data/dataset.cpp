// Dataset helpers: pixel scaling through a 256-entry table as batches are drawn, prefixes,
// consistency checks.
#include "data/dataset.h"

#include <array>

#include "tensor/error.h"

namespace probenet::data {

namespace {

const std::array<float, 256>& scale_table(Scaling scaling) {
    static const auto build = [](Scaling s) {
        std::array<float, 256> table;
        for (int v = 0; v < 256; ++v) table[v] = scale_pixel(static_cast<uint8_t>(v), s);
        return table;
    };
    static const std::array<float, 256> minus_one_to_one = build(Scaling::MinusOneToOne);
    static const std::array<float, 256> zero_to_one = build(Scaling::ZeroToOne);
    return scaling == Scaling::MinusOneToOne ? minus_one_to_one : zero_to_one;
}

// `count` samples of `row` bytes each, the i-th starting at src + offset(i) bytes, scaled into dst.
template <typename Offset>
void scale_rows(const uint8_t* src, int64_t count, int64_t row, Offset offset, Scaling scaling, float* dst) {
    const std::array<float, 256>& table = scale_table(scaling);
#pragma omp parallel for schedule(static) if (count * row > (int64_t{1} << 18))
    for (int64_t i = 0; i < count; ++i) {
        const uint8_t* in = src + offset(i);
        float* out = dst + i * row;
        for (int64_t j = 0; j < row; ++j) out[j] = table[in[j]];
    }
}

Shape batch_shape(int64_t m, const Shape& sample_shape) {
    Shape shape{m};
    shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
    return shape;
}

}  // namespace

const char* scaling_name(Scaling scaling) {
    return scaling == Scaling::MinusOneToOne ? "[-1, 1] ((u8/255 - 0.5)/0.5)" : "[0, 1] (u8/255)";
}

float scale_pixel(uint8_t value, Scaling scaling) {
    const float unit = static_cast<float>(value) / 255.0f;
    return scaling == Scaling::MinusOneToOne ? (unit - 0.5f) / 0.5f : unit;
}

Tensor pixels_to_tensor(const std::vector<uint8_t>& values, const Shape& shape, Scaling scaling) {
    PROBENET_CHECK(shape_numel(shape) == static_cast<int64_t>(values.size()), "pixels_to_tensor: shape ",
                   shape_str(shape), " needs ", shape_numel(shape), " values, got ", values.size());
    Tensor t = Tensor::empty(shape, Device::CPU);
    scale_rows(values.data(), 1, t.numel(), [](int64_t) { return int64_t{0}; }, scaling, t.data());
    return t;
}

Tensor Dataset::batch_images(int64_t begin, int64_t end) const {
    PROBENET_CHECK(0 <= begin && begin <= end && end <= size(), name, ": samples [", begin, ", ", end,
                   ") requested but the dataset has ", size());
    check_storage();
    const int64_t row = sample_numel();
    Tensor t = Tensor::empty(batch_shape(end - begin, sample_shape), Device::CPU);
    scale_rows(pixels->data() + begin * row, end - begin, row, [row](int64_t i) { return i * row; }, scaling,
               t.data());
    return t;
}

Tensor Dataset::gather_images(std::span<const int64_t> indices) const {
    for (const int64_t i : indices)
        PROBENET_CHECK(i >= 0 && i < size(), name, ": sample ", i, " requested but the dataset has ", size());
    check_storage();
    const int64_t row = sample_numel();
    Tensor t = Tensor::empty(batch_shape(static_cast<int64_t>(indices.size()), sample_shape), Device::CPU);
    scale_rows(pixels->data(), static_cast<int64_t>(indices.size()), row,
               [&](int64_t i) { return indices[static_cast<size_t>(i)] * row; }, scaling, t.data());
    return t;
}

void Dataset::check_storage() const {
    PROBENET_CHECK(!sample_shape.empty() && sample_numel() >= 1, name, ": sample shape ", shape_str(sample_shape),
                   " holds no pixels");
    const int64_t needed = size() * sample_numel();
    PROBENET_CHECK(pixels && static_cast<int64_t>(pixels->size()) >= needed, name, ": ", size(),
                   " samples of shape ", shape_str(sample_shape), " need ", needed, " pixel bytes but ",
                   pixels ? pixels->size() : 0, " are stored");
}

Dataset Dataset::prefix(int64_t n) const {
    PROBENET_CHECK(n >= 0 && n <= size(), name, ": prefix of ", n, " samples requested but the dataset has ", size(),
                   "; choose a size between 0 and ", size());
    Dataset out = *this;
    if (n < size()) out.name = name + "[:" + std::to_string(n) + "]";
    out.true_labels.resize(static_cast<size_t>(n));
    out.train_labels.resize(static_cast<size_t>(n));
    return out;
}

void Dataset::check() const {
    PROBENET_CHECK(num_classes >= 1, name, ": num_classes is ", num_classes, ", must be at least 1");
    check_storage();
    PROBENET_CHECK(train_labels.size() == true_labels.size(), name, ": ", train_labels.size(), " training labels but ",
                   true_labels.size(), " true labels");
    for (const auto* labels : {&true_labels, &train_labels})
        for (size_t i = 0; i < labels->size(); ++i)
            PROBENET_CHECK((*labels)[i] >= 0 && (*labels)[i] < num_classes, name, ": ",
                           labels == &true_labels ? "true" : "training", " label ", (*labels)[i], " of sample ", i,
                           " is outside [0, ", num_classes, ")");
}

Dataset make_dataset(std::string name, std::vector<uint8_t> pixels, Shape sample_shape, Scaling scaling,
                     std::vector<int32_t> labels, int num_classes) {
    Dataset d;
    d.name = std::move(name);
    d.pixels = std::make_shared<const std::vector<uint8_t>>(std::move(pixels));
    d.sample_shape = std::move(sample_shape);
    d.scaling = scaling;
    d.true_labels = std::move(labels);
    d.train_labels = d.true_labels;
    d.num_classes = num_classes;
    d.check();
    PROBENET_CHECK(static_cast<int64_t>(d.pixels->size()) == d.size() * d.sample_numel(), d.name, ": ", d.size(),
                   " samples of shape ", shape_str(d.sample_shape), " need ", d.size() * d.sample_numel(),
                   " pixel bytes, got ", d.pixels->size());
    return d;
}

}  // namespace probenet::data
