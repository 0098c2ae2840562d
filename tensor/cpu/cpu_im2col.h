// im2col / col2im: the patch matrix that turns a 2-D convolution of one image into a GEMM.
//
// For one image x (C, H, W) and the geometry g, the patch matrix has C·kh·kw rows and Ho·Wo columns:
//     cols[(c·kh + i)·kw + j][oh·Wo + ow] = x[c][oh·stride_h − pad_h + i][ow·stride_w − pad_w + j]
// (0 where that position falls in the padding). Rows are `ld` floats apart, so several images can sit
// side by side in one wider matrix (image k at column offset k·Ho·Wo) and share one larger GEMM.
#pragma once

#include <cstdint>

#include "tensor/conv_geometry.h"

namespace probenet::cpu {

// Writes the Ho·Wo patch columns of image x (C, H, W) into cols (C·kh·kw rows, row stride ld).
void im2col(const Conv2dGeometry& g, const float* x, float* cols, int64_t ld);

// The adjoint of im2col: x (C, H, W) += every column entry added back at the input position it was
// copied from (padding positions are dropped). Overlapping windows add up, as the gradient requires.
// cols is scratch: entries at padding positions may be overwritten with zeros.
void col2im_add(const Conv2dGeometry& g, float* cols, int64_t ld, float* x);

}  // namespace probenet::cpu
