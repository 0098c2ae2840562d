// decode_rgb_image: stb_image, restricted to JPEG and PNG, with the size checked first; see image_file.h.
#include "data/image_file.h"

#include <memory>

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

void decode_rgb_image(const std::string& path, int64_t width, int64_t height, uint8_t* out) {
    int w = 0, h = 0, channels = 0;
    PROBENET_CHECK(stbi_info(path.c_str(), &w, &h, &channels), path, ": not an image probenet can read (",
                   stbi_failure_reason(), "); only JPEG and PNG files belong in an image folder");
    PROBENET_CHECK(w == width && h == height, path, ": the image is ", w, "×", h, " but this dataset's images are ",
                   width, "×", height);
    const std::unique_ptr<stbi_uc, void (*)(void*)> rgb(stbi_load(path.c_str(), &w, &h, &channels, 3),
                                                       stbi_image_free);
    PROBENET_CHECK(rgb != nullptr, path, ": cannot be decoded (", stbi_failure_reason(), ")");
    PROBENET_CHECK(w == width && h == height, path, ": decoded as ", w, "×", h, ", expected ", width, "×", height);
    const int64_t plane = width * height;
    for (int64_t i = 0; i < plane; ++i)
        for (int64_t c = 0; c < 3; ++c) out[c * plane + i] = rgb.get()[i * 3 + c];
}

}  // namespace probenet::data
