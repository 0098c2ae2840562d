// 16-float vectors for the CPU kernels: GCC/Clang vector extensions, one AVX-512 register with
// -march=native on this project's machines and split into narrower registers by the compiler
// elsewhere (correct everywhere, fast where AVX-512 exists). Row helpers use masked AVX-512 loads and
// stores for the ragged ends of short rows (7, 14, 28 floats in the paper's CNN), scalar code otherwise.
#pragma once

#include <cstdint>
#include <cstring>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace probenet::cpu::simd {

using v16 = float __attribute__((vector_size(64)));
using i16 = int32_t __attribute__((vector_size(64)));

inline v16 load16(const float* p) {
    v16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store16(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }
// A store of 16 floats at a 64-byte aligned p that goes around the caches (non-temporal, weakly
// ordered: the storing thread issues fence() before others read them); a plain store without AVX-512.
inline void stream16(float* p, v16 v) {
#ifdef __AVX512F__
    __m512 r;
    std::memcpy(&r, &v, sizeof r);
    _mm512_stream_ps(p, r);
#else
    store16(p, v);
#endif
}
// Orders this thread's streamed stores before its later stores (sfence).
inline void fence() {
#ifdef __AVX512F__
    _mm_sfence();
#endif
}
inline v16 splat(float s) { return v16{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s}; }

// Lanes [from, to) of the 16 floats at p (only those are read), the other lanes zero: rows cut at a
// plane's edges. p may point before or past the data as long as the lanes read lie inside it.
inline v16 load_part(const float* p, int64_t from, int64_t to) {
#ifdef __AVX512F__
    if (from >= 16 || to <= 0 || from >= to) return splat(0.0f);
    const uint32_t below = from <= 0 ? 0u : (1u << from) - 1, upto = to >= 16 ? 0xFFFFu : (1u << to) - 1;
    v16 v;
    const __m512 r = _mm512_maskz_loadu_ps(static_cast<__mmask16>(upto & ~below), p);
    std::memcpy(&v, &r, sizeof v);
    return v;
#else
    v16 v = splat(0.0f);
    for (int64_t i = from < 0 ? 0 : from; i < to && i < 16; ++i) v[i] = p[i];
    return v;
#endif
}

// Stores lanes [from, to) of v at p[from … to) (0 ≤ from ≤ to ≤ 16; p itself need not be writable).
inline void store_lanes(float* p, v16 v, int64_t from, int64_t to) {
#ifdef __AVX512F__
    const uint32_t upto = to >= 16 ? 0xFFFFu : (1u << to) - 1, below = (1u << from) - 1;
    __m512 r;
    std::memcpy(&r, &v, sizeof r);
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>(upto & ~below), r);
#else
    for (int64_t i = from; i < to; ++i) p[i] = v[i];
#endif
}

// Stores lanes [0, n) of v at p (n ≤ 16).
inline void store_part(float* p, v16 v, int64_t n) { store_lanes(p, v, 0, n); }

// Per lane, mask ? a : b, for a mask from a vector comparison (all bits set or clear per lane).
inline v16 select(i16 mask, v16 a, v16 b) {
    i16 ai, bi;
    std::memcpy(&ai, &a, sizeof ai);
    std::memcpy(&bi, &b, sizeof bi);
    const i16 r = (ai & mask) | (bi & ~mask);
    v16 out;
    std::memcpy(&out, &r, sizeof out);
    return out;
}

// dst[i] = src[i] + add for i < n.
inline void copy_add(float* dst, const float* src, int64_t n, float add) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) store16(dst + i, load16(src + i) + splat(add));
#ifdef __AVX512F__
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, src + i), _mm512_set1_ps(add)));
    }
#else
    for (; i < n; ++i) dst[i] = src[i] + add;
#endif
}

// dst[i] = relu(src[i] + add) for i < n, with relu's rule v > 0 ? v : 0 (so NaN and −0 give +0): the
// store of a convolution with its ReLU folded in, the same bits as copy_add and then relu.
inline void copy_add_relu(float* dst, const float* src, int64_t n, float add) {
    int64_t i = 0;
#ifdef __AVX512F__
    const __m512 a = _mm512_set1_ps(add), zero = _mm512_setzero_ps();
    for (; i + 16 <= n; i += 16) {
        const __m512 v = _mm512_add_ps(_mm512_loadu_ps(src + i), a);
        _mm512_storeu_ps(dst + i, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v));
    }
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 v = _mm512_add_ps(_mm512_maskz_loadu_ps(m, src + i), a);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v));
    }
#else
    for (; i < n; ++i) {
        const float v = src[i] + add;
        dst[i] = v > 0.0f ? v : 0.0f;
    }
#endif
}

// dst[i] = y[i] > 0 ? dy[i] : 0 for i < n: a ReLU's backward (y its output), the same bits as relu_backward
// with beta 0.
inline void relu_mask(float* dst, const float* y, const float* dy, int64_t n) {
    int64_t i = 0;
#ifdef __AVX512F__
    const __m512 zero = _mm512_setzero_ps();
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_maskz_loadu_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(y + i), zero, _CMP_GT_OQ),
                                                        dy + i));
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        const __mmask16 keep = _mm512_mask_cmp_ps_mask(m, _mm512_maskz_loadu_ps(m, y + i), zero, _CMP_GT_OQ);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(keep, dy + i));
    }
#else
    for (; i < n; ++i) dst[i] = y[i] > 0.0f ? dy[i] : 0.0f;
#endif
}

// dst[i] = beta·dst[i] + src[i] for i < n; beta = 0 ignores what dst held (even NaN).
inline void scale_add(float* dst, const float* src, int64_t n, float beta) {
    if (beta == 0.0f) return copy_add(dst, src, n, 0.0f);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) store16(dst + i, splat(beta) * load16(dst + i) + load16(src + i));
#ifdef __AVX512F__
    if (i < n) {
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        const __m512 d = _mm512_maskz_loadu_ps(m, dst + i), s = _mm512_maskz_loadu_ps(m, src + i);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_fmadd_ps(_mm512_set1_ps(beta), d, s));
    }
#else
    for (; i < n; ++i) dst[i] = beta * dst[i] + src[i];
#endif
}

// relu's rule v > 0 ? v : 0 per lane (NaN and −0 give +0), as copy_add_relu applies it.
inline v16 relu(v16 v) { return select(v > splat(0.0f), v, splat(0.0f)); }

// The same three stores from a vector's lanes [0, n), n ≤ 16, with the same bits as the row versions.
inline void copy_add(float* dst, v16 src, int64_t n, float add) { store_part(dst, src + splat(add), n); }
inline void copy_add_relu(float* dst, v16 src, int64_t n, float add) { store_part(dst, relu(src + splat(add)), n); }
inline void scale_add(float* dst, v16 src, int64_t n, float beta) {
    if (beta == 0.0f) return copy_add(dst, src, n, 0.0f);
    store_part(dst, splat(beta) * load_part(dst, 0, n) + src, n);
}

// Elements of the 32-lane concatenation a‖b picked by `mask` (values 0..31). GCC has a two-source
// variable shuffle; clang (used only for the fuzz build) gets an element-wise loop with the same result.
inline v16 shuffle2(const v16& a, const v16& b, const i16& mask) {
#if defined(__clang__)
    v16 out;
    for (int j = 0; j < 16; ++j) out[j] = mask[j] < 16 ? a[mask[j]] : b[mask[j] - 16];
    return out;
#else
    return __builtin_shuffle(a, b, mask);
#endif
}

// Transposes the 16×16 block held in r[0..16) (r[i][j] becomes r[j][i]) in four rounds of
// two-source shuffles: round s swaps the s×s sub-blocks off the diagonal of every 2s×2s block.
inline void transpose16(v16 r[16]) {
    // For rows a (upper) and b (lower) of a pair: upper takes a's columns with bit s clear and b's
    // columns with bit s clear shifted up; lower the columns with bit s set.
    static const i16 upper[4] = {
        {0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30},
        {0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29},
        {0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27},
        {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}};
    static const i16 lower[4] = {
        {1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31},
        {2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31},
        {4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31},
        {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}};
    for (int level = 0; level < 4; ++level) {
        const int s = 1 << level;
        for (int i = 0; i < 16; ++i) {
            if (i & s) continue;
            const v16 a = r[i], b = r[i + s];
            r[i] = shuffle2(a, b, upper[level]);
            r[i + s] = shuffle2(a, b, lower[level]);
        }
    }
}

}  // namespace probenet::cpu::simd
