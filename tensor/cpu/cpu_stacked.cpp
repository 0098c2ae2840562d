// The stacked layout of the direct 3×3 kernels (see cpu_stacked.h).
#include "tensor/cpu/cpu_stacked.h"

#include <algorithm>

#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

void stack_images(const Stacked& s, int64_t channels, const float* images, float* dst) {
    const int64_t image = channels * s.H * s.W;
    for (int64_t c = 0; c < channels; ++c) {
        float* plane = dst + c * s.plane;
        std::fill(plane, plane + s.Wp, 0.0f);  // top padding row
        for (int64_t n = 0; n < s.count; ++n) {
            const float* src = images + n * image + c * s.H * s.W;
            float* row = plane + (1 + n * (s.H + 1)) * s.Wp;
            for (int64_t h = 0; h < s.H; ++h, row += s.Wp) {
                row[0] = 0.0f;  // left padding of this row, right padding of the one above
                simd::copy_add(row + 1, src + h * s.W, s.W, 0.0f);
            }
            std::fill(row, row + s.Wp, 0.0f);  // the row between this image and the next
        }
        std::fill(plane + s.rows * s.Wp, plane + s.plane, 0.0f);
    }
}

int64_t stacked_images_per_chunk(const Conv2dGeometry& g) {
    constexpr int64_t kStackFloats = 1 << 16;
    const int64_t per_image = std::max(g.C, g.O) * (g.H + 1) * (g.W + 1);
    return std::max<int64_t>(1, kStackFloats / per_image);
}

}  // namespace probenet::cpu
