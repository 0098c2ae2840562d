// CPU convolution: im2col + cblas_sgemm over chunks of images, with a bounded per-thread workspace.
//
// Shapes: x (N, C, H, W), w (O, C, kh, kw) seen as the matrix W (O, K) with K = C·kh·kw, y and dy
// (N, O, Ho, Wo) with P = Ho·Wo. A chunk of b images is laid out side by side in one patch matrix
// cols (K, b·P) (cpu_im2col.h), so each GEMM is as wide as b images:
//     forward          Y (O, b·P)  = W · cols                 then scattered into y (+ bias)
//     backward data    dcols (K, b·P) = Wᵀ · dY               then col2im-added into dx
//     backward filter  dW (O, K)  += dY · colsᵀ               dY (O, b·P) gathered from dy
// b is chosen so that a GEMM has about kTargetColumns columns (narrow GEMMs waste the BLAS kernel)
// while cols stays within kWorkspaceFloats; the workspace is therefore bounded by the larger of that
// cap and one image's patch matrix, never by the batch. 1×1 stride-1 unpadded convolutions use the
// image itself as the patch matrix (b = 1, no copy).
//
// Threads: chunks are spread over OpenMP threads (cpu_chunks.h), each running a single-threaded
// sgemm, which beats one threaded GEMM on these small matrices. When there are fewer chunks than
// threads (batch 1 inference) the chunks run in turn and OpenBLAS threads each GEMM instead. The
// filter gradient is summed per chunk (or per thread when that is too much memory), then the partial
// sums are added in a fixed order, so results do not depend on scheduling.
// The 3×3 stride-1 padding-1 case has its own direct kernels (cpu_conv3x3.h) and is routed there.
// A following ReLU (Backend::conv2d_relu_*) is applied as y is stored, and its mask [y > 0] to dy as
// each chunk of it is gathered (and as the bias gradient sums it).
#include "tensor/cpu/cpu_conv.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <vector>

#include "tensor/cpu/cpu_chunks.h"
#include "tensor/cpu/cpu_conv3x3.h"
#include "tensor/cpu/cpu_im2col.h"
#include "tensor/cpu/cpu_simd.h"

namespace probenet::cpu {

namespace {

constexpr int64_t kTargetColumns = 768;          // GEMM width (b·P) worth batching images for
constexpr int64_t kWorkspaceFloats = 1 << 19;    // 2 MiB: the patch matrix of a chunk fits in L2

void sgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, int64_t lda, const float* B,
           int64_t ldb, float beta, float* C, int64_t ldc) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, int(M), int(N), int(K),
                1.0f, A, int(lda), B, int(ldb), beta, C, int(ldc));
}

ChunkPlan plan_gemm_chunks(const Conv2dGeometry& g) {
    const int64_t P = g.output_plane(), K = g.patch_size();
    int64_t b = (kTargetColumns + P - 1) / P;
    b = std::min(b, std::max<int64_t>(1, kWorkspaceFloats / std::max<int64_t>(1, K * P)));
    if (g.is_pointwise()) b = 1;
    return plan_chunks(g.N, b, g.N * g.O * P * K);
}

// The patch matrix (K, count·P) of images [n0, n0 + count); for a pointwise conv the image itself.
const float* patches(const Conv2dGeometry& g, const float* x, int64_t n0, int64_t count) {
    const int64_t P = g.output_plane(), image = g.C * g.H * g.W;
    if (g.is_pointwise()) return x + n0 * image;
    float* cols = thread_scratch(0, g.patch_size() * count * P);
    for (int64_t i = 0; i < count; ++i) im2col(g, x + (n0 + i) * image, cols + i * P, count * P);
    return cols;
}

// dy of images [n0, n0 + count) as one matrix (O, count·P) — a single image is already one — or, when
// relu_y is given, dy ∘ [relu_y > 0], masked as it is gathered.
const float* gathered_output_grad(const Conv2dGeometry& g, const float* dy, const float* relu_y, int64_t n0,
                                  int64_t count) {
    const int64_t P = g.output_plane(), ld = count * P;
    if (count == 1 && !relu_y) return dy + n0 * g.O * P;
    float* out = thread_scratch(1, g.O * ld);
    for (int64_t i = 0; i < count; ++i)
        for (int64_t o = 0; o < g.O; ++o) {
            const int64_t at = ((n0 + i) * g.O + o) * P;
            if (relu_y) {
                simd::relu_mask(out + o * ld + i * P, relu_y + at, dy + at, P);
            } else {
                std::copy_n(dy + at, P, out + o * ld + i * P);
            }
        }
    return out;
}

}  // namespace

void conv2d_forward(const Conv2dGeometry& g, const float* x, const float* w, const float* bias, float* y, bool relu) {
    if (conv3x3_applies(g)) return conv3x3_forward(g, x, w, bias, y, relu);
    const int64_t P = g.output_plane(), K = g.patch_size(), O = g.O;
    const ChunkPlan plan = plan_gemm_chunks(g);
    for_each_chunk(plan, [&](int64_t n0, int64_t count, int64_t) {
        const int64_t ld = count * P;
        const float* cols = patches(g, x, n0, count);
        float* out = count == 1 ? y + n0 * O * P : thread_scratch(1, O * ld);
        sgemm(false, false, O, ld, K, w, K, cols, ld, 0.0f, out, ld);
        if (count == 1 && !bias && !relu) return;  // the GEMM wrote y directly
        for (int64_t i = 0; i < count; ++i)
            for (int64_t o = 0; o < O; ++o) {
                float* dst = y + ((n0 + i) * O + o) * P;  // in place when count == 1
                const float* src = out + o * ld + i * P;
                const float b = bias ? bias[o] : 0.0f;
                if (relu) {
                    simd::copy_add_relu(dst, src, P, b);
                } else {
                    simd::copy_add(dst, src, P, b);
                }
            }
    });
}

static void conv2d_backward_data(const Conv2dGeometry& g, const float* dy, const float* relu_y, const float* w,
                                 float beta, float* dx) {
    const int64_t P = g.output_plane(), K = g.patch_size(), image = g.C * g.H * g.W;
    const ChunkPlan plan = plan_gemm_chunks(g);
    for_each_chunk(plan, [&](int64_t n0, int64_t count, int64_t) {
        const int64_t ld = count * P;
        const float* dyc = gathered_output_grad(g, dy, relu_y, n0, count);
        if (g.is_pointwise()) {  // dx_n (C, P) = beta·dx_n + Wᵀ (C, O) · dy_n (O, P)
            sgemm(true, false, g.C, P, g.O, w, K, dyc, P, beta, dx + n0 * image, P);
            return;
        }
        float* dcols = thread_scratch(0, K * ld);
        sgemm(true, false, K, ld, g.O, w, K, dyc, ld, 0.0f, dcols, ld);
        for (int64_t i = 0; i < count; ++i) {
            float* dxi = dx + (n0 + i) * image;
            if (beta == 0.0f) {
                std::fill(dxi, dxi + image, 0.0f);
            } else if (beta != 1.0f) {
                for (int64_t e = 0; e < image; ++e) dxi[e] *= beta;
            }
            col2im_add(g, dcols + i * P, ld, dxi);
        }
    });
}

namespace {

// Σ of one plane of dy in float, the one summation order every bias gradient here uses.
inline float plane_sum(const float* plane, int64_t P) {
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int64_t p = 0; p < P; ++p) s += plane[p];
    return s;
}

// db[o] = beta·db[o] + Σ_n sums(n, o), added in double in image order.
template <typename PlaneSum>
void finish_bias(const Conv2dGeometry& g, PlaneSum&& sums, float beta, float* db) {
#pragma omp parallel for if (g.N * g.O * g.output_plane() > (1 << 15))
    for (int64_t o = 0; o < g.O; ++o) {
        double total = 0;
        for (int64_t n = 0; n < g.N; ++n) total += sums(n, o);
        db[o] = beta == 0.0f ? static_cast<float>(total) : beta * db[o] + static_cast<float>(total);
    }
}

}  // namespace

static void conv2d_backward_filter(const Conv2dGeometry& g, const float* x, const float* dy, const float* relu_y,
                                   float beta, float* dw, float beta_db, float* db) {
    // After a folded ReLU the bias gradient is summed from each chunk's masked dy while it is in cache,
    // rather than by reading dy and the mask once more; the sums are the same either way.
    const bool bias_in_chunks = db && relu_y;
    if (db && !bias_in_chunks) conv2d_backward_bias(g, dy, beta_db, db);
    std::vector<float> plane_sums(bias_in_chunks ? static_cast<size_t>(g.N * g.O) : 0);
    const int64_t P = g.output_plane(), K = g.patch_size(), size = g.O * K;
    ChunkPlan plan = plan_gemm_chunks(g);
    const int64_t slots = plan_partials(plan, size);
    std::vector<float> partial(static_cast<size_t>(slots * size), 0.0f);  // one dW per chunk or thread
    for_each_chunk(plan, [&](int64_t n0, int64_t count, int64_t slot) {
        const int64_t ld = count * P;
        const float* cols = patches(g, x, n0, count);
        const float* dyc = gathered_output_grad(g, dy, relu_y, n0, count);
        if (bias_in_chunks)
            for (int64_t i = 0; i < count; ++i)
                for (int64_t o = 0; o < g.O; ++o)
                    plane_sums[static_cast<size_t>((n0 + i) * g.O + o)] = plane_sum(dyc + o * ld + i * P, P);
        sgemm(false, true, g.O, K, ld, dyc, ld, cols, ld, 1.0f, partial.data() + slot * size, K);
    });
    if (bias_in_chunks)
        finish_bias(g, [&](int64_t n, int64_t o) { return plane_sums[static_cast<size_t>(n * g.O + o)]; }, beta_db, db);
    sum_partials(partial.data(), slots, size);
    for (int64_t e = 0; e < size; ++e) dw[e] = beta == 0.0f ? partial[static_cast<size_t>(e)] : beta * dw[e] + partial[static_cast<size_t>(e)];
}

void conv2d_backward(const Conv2dGeometry& g, const float* x, const float* w, const float* dy, float beta_dx, float* dx,
                     float beta_dw, float* dw, float beta_db, float* db, const float* relu_y) {
    if (conv3x3_applies(g))
        return conv3x3_backward(g, x, w, ConvDy{dy, relu_y}, beta_dx, dx, beta_dw, dw, beta_db, db);
    if (dx) conv2d_backward_data(g, dy, relu_y, w, beta_dx, dx);
    if (dw) {
        conv2d_backward_filter(g, x, dy, relu_y, beta_dw, dw, beta_db, db);
    } else if (db) {
        conv2d_backward_bias(g, dy, beta_db, db, relu_y);
    }
}

bool conv2d_relu_maxpool_forward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x, const float* w,
                                 const float* bias, float* y, float* argmax) {
    if (!conv3x3_applies(g)) return false;
    conv3x3_forward(g, x, w, bias, y, /*relu=*/true, &pg, argmax);
    return true;
}

bool conv2d_relu_maxpool_backward(const Conv2dGeometry& g, const Pool2dGeometry& pg, const float* x, const float* w,
                                  const float* y, const float* argmax, const float* dy, float beta_dx, float* dx,
                                  float beta_dw, float* dw, float beta_db, float* db) {
    if (!conv3x3_applies(g) || !dw) return false;
    conv3x3_backward(g, x, w, ConvDy{dy, y, &pg, argmax}, beta_dx, dx, beta_dw, dw, beta_db, db);
    return true;
}

void conv2d_backward_bias(const Conv2dGeometry& g, const float* dy, float beta, float* db, const float* relu_y) {
    const int64_t P = g.output_plane();
    if (!relu_y) return finish_bias(g, [&](int64_t n, int64_t o) { return plane_sum(dy + (n * g.O + o) * P, P); }, beta, db);
    finish_bias(g, [&](int64_t n, int64_t o) {
        const float* plane = dy + (n * g.O + o) * P;
        const float* mask = relu_y + (n * g.O + o) * P;
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int64_t p = 0; p < P; ++p) s += mask[p] > 0.0f ? plane[p] : 0.0f;
        return s;
    }, beta, db);
}

}  // namespace probenet::cpu
