// decode_rgb_image: stb_image, restricted to JPEG and PNG, with the size checked first; see image_file.h.
#include "data/image_file.h"

#include <fstream>
#include <cstdint>
#include <memory>
#include <vector>

#include "data/jpeg_huffman_check.h"
#include "data/png_empty_idat.h"
#include "data/png_size_check.h"
#include "tensor/error.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_JPEG
#define STBI_ONLY_PNG
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

namespace probenet::data {

namespace {

// An image file of a dataset whose images are a few kilobytes to megabytes; anything larger is not one.
constexpr std::streamoff kMaxImageFileBytes = std::streamoff{256} << 20;

std::vector<uint8_t> read_image_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    PROBENET_CHECK(in.good(), path, ": cannot open the image file");
    const std::streamoff size = in.tellg();
    PROBENET_CHECK(size >= 0 && size <= kMaxImageFileBytes, path, ": ", size,
                   " bytes is too large for an image of an image-folder dataset (at most 256 MiB)");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), size);
    PROBENET_CHECK(in.gcount() == size, path, ": read ", in.gcount(), " of its ", size, " bytes");
    return bytes;
}

}  // namespace

void decode_rgb_image(const std::string& path, int64_t width, int64_t height, uint8_t* out) {
    std::vector<uint8_t> bytes = read_image_file(path);
    check_jpeg_huffman_tables(path, bytes.data(), bytes.size());  // before stb_image reads any table
    PROBENET_CHECK(bytes.size() <= size_t{INT32_MAX}, path, ": too large");
    const int length = static_cast<int>(bytes.size());
    int w = 0, h = 0, channels = 0;
    PROBENET_CHECK(stbi_info_from_memory(bytes.data(), length, &w, &h, &channels), path,
                   ": not an image probenet can read (", stbi_failure_reason(),
                   "); only JPEG and PNG files belong in an image folder");
    PROBENET_CHECK(w == width && h == height, path, ": the image is ", w, "×", h, " but this dataset's images are ",
                   width, "×", height);
    check_png_size(path, bytes.data(), bytes.size(), width, height);  // before stb_image allocates for it
    drop_empty_idat_chunks(bytes);  // stb_image would memcpy an empty one into a null buffer
    const std::unique_ptr<stbi_uc, void (*)(void*)> rgb(
        stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &channels, 3), stbi_image_free);
    PROBENET_CHECK(rgb != nullptr, path, ": cannot be decoded (", stbi_failure_reason(), ")");
    PROBENET_CHECK(w == width && h == height, path, ": decoded as ", w, "×", h, ", expected ", width, "×", height);
    const int64_t plane = width * height;
    for (int64_t i = 0; i < plane; ++i)
        for (int64_t c = 0; c < 3; ++c) out[c * plane + i] = rgb.get()[i * 3 + c];
}

}  // namespace probenet::data
