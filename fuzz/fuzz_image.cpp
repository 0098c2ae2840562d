// Fuzz target: one image file of an image-folder dataset (data/image_file.h: stb_image restricted to
// JPEG and PNG, dimensions checked with stbi_info before decoding), as Tiny ImageNet's 64×64 RGB
// reader decodes it. Any input must decode into exactly 64·64·3 bytes or end in probenet::Error —
// never a crash, an out-of-bounds write or a huge allocation from a crafted header.
#include <cstdint>
#include <vector>

#include "data/image_file.h"
#include "fuzz/fuzz_input_file.h"
#include "tensor/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = probenet::fuzz::write_input(data, size);
    std::vector<uint8_t> out(64 * 64 * 3 + 16, 0xA5);
    try {
        probenet::data::decode_rgb_image(path, 64, 64, out.data());
    } catch (const probenet::Error&) {
    }
    for (size_t i = 64 * 64 * 3; i < out.size(); ++i)
        if (out[i] != 0xA5) __builtin_trap();  // wrote past the 64×64×3 it was given
    return 0;
}
