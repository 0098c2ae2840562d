// P (m, n) = X (m, d) · Wᵀ, W (n, d), on Intel AMX tiles in three bfloat16 products, with a stated
// error bound: the screening GEMM of MASC's float32 pass (probe/masc.h), where only the bound matters.
//
// Split. Each float32 x_i becomes x_h = bf16(x_i) and x_l = bf16(x_i − x_h); each float64 w_i likewise
// (w_h = bf16(w_i), w_l = bf16(w_i − w_h)). bf16 keeps 8 significant bits, so x_h + x_l holds about
// 16. The product is taken as x_h·w_h + x_h·w_l + x_l·w_h (the dropped terms are ~2⁻¹⁶ of it): three
// products where float32 would take one, but AMX's TDPBF16PS does 16·16·32 multiply-adds per
// instruction, ~16× an AVX-512 FMA's rate, so the three cost less than one float32 product.
//
// Accumulation in chunks. A tile accumulates in float32 (round to nearest even, output subnormals
// flushed, input subnormals read as 0: Intel SDM, TDPBF16PS). One running float32 sum over all 3d
// products would err by up to γ_{3d} of Σ|terms| (2048 wide: 3.7·10⁻⁴, three times float32's own
// γ_d), so the tiles are emptied every kChunk = 128 elements of d into float32 accumulators: γ_{3·128}
// within a chunk plus γ_{⌈d/128⌉} across chunks (2048 wide: 2.4·10⁻⁵).
//
// The bound (ε = 2⁻²⁴, δ = 2⁻⁸ the bf16 rounding unit, γ_n = nε/(1 − nε), μ = 2⁻¹²⁶), for
// p_j = Σ_i x_i w_ji exactly, with x as read (subnormal floats as 0):
//   |p̂_j − p_j| ≤ (3.02·δ² + 1.02·γ_acc)·Σ_i|x_i||w_ji| + 64μd·(max|x_i| + max|w_ji| + 1),
//   γ_acc = γ_{3·kChunk} + γ_c + γ_{3·kChunk}·γ_c,  c = ⌈d/kChunk⌉.
// Why: with x = x_h + x_l + r_x, |r_x| ≤ δ²|x| + 3μ, |x_l| ≤ δ(1 + δ)|x| + 4μ (and for w with δ' =
// δ(1 + 2⁻¹⁵), the float64 → float32 → bf16 double rounding), the dropped part x_h·r_w + x_l·(w − w_h)
// + r_x·w is at most ((1 + δ)δ'² + δ(1 + δ)δ' + δ²)|x||w| ≤ 3.02δ²|x||w| plus underflow; the kept
// terms are exact float32 products (8 × 8 significant bits), their magnitudes sum to at most 1.02 of
// Σ|x||w|, and their sum errs by γ_acc of that (every tile and accumulator step rounds once to
// nearest) plus < μ per flushed result (3d + c of them). Every underflow term is folded into the
// generous 64μd·(…). amx_bf16x3_bound gives the two constants.
#pragma once

#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace probenet::cpu {

// Whether this CPU and kernel run AMX-BF16 (CPUID, and the kernel's permission for tile data, asked
// for once per process); false where PROBENET_NO_AMX is set in the environment.
bool amx_bf16_usable();
std::string amx_bf16_status();  // why not, or "AMX-BF16" (for the run's backend line)

// Tile rows are 64 bytes: a tile that straddles cache lines loads at about half the rate. The
// elements are left uninitialised (every one is written by the loops that fill them, spread over the
// threads: see tensor/uninitialized_allocator.h).
template <typename T>
struct CacheLineAllocator {
    using value_type = T;
    CacheLineAllocator() = default;
    template <typename U>
    CacheLineAllocator(const CacheLineAllocator<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{64})); }
    void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t{64}); }
    template <typename U>
    void construct(U* p) { ::new (static_cast<void*>(p)) U; }
    template <typename U>
    bool operator==(const CacheLineAllocator<U>&) const { return true; }
};
using AmxTiles = std::vector<uint16_t, CacheLineAllocator<uint16_t>>;

struct AmxBf16x3Bound {
    double per_abs_dot;   // times Σ_i|x_i||w_ji|
    double per_max_sum;   // times (max|x_i| + max|w_ji| + 1)
};
AmxBf16x3Bound amx_bf16x3_bound(int64_t d);

// W (n, d) row-major in float64, split and laid out once as AMX tiles (pairs of 16 columns of P).
class AmxBf16x3Weights {
public:
    AmxBf16x3Weights() = default;
    AmxBf16x3Weights(const double* w, int64_t n, int64_t d);
    int64_t n() const { return n_; }
    int64_t d() const { return d_; }
    int64_t bytes() const { return static_cast<int64_t>(tiles_.size() * sizeof(uint16_t)); }

private:
    friend void amx_bf16x3_gemm(const float*, int64_t, const AmxBf16x3Weights&, float*, int64_t, AmxTiles&);
    friend void amx_bf16x3_segment_sums(const float*, int64_t, const AmxBf16x3Weights&, std::span<const int64_t>,
                                        double*, double*, AmxTiles&, std::vector<double>&);
    int64_t n_ = 0, d_ = 0, n_pad_ = 0, d_pad_ = 0;
    AmxTiles tiles_;  // [32-column pair][32-wide step of d][w_h cols 0–15, w_h 16–31, w_l 0–15, w_l 16–31]
};

// P (m, n) row-major with leading dimension ldp from X (m, d) row-major float32; `rows_scratch` is
// the split X's buffer, grown as needed and reused between calls. Runs on the OpenMP threads.
// Requires amx_bf16_usable().
void amx_bf16x3_gemm(const float* x, int64_t m, const AmxBf16x3Weights& w, float* p, int64_t ldp,
                     AmxTiles& rows_scratch);

// The same product reduced as it is made, without writing P: for column segments [starts[s],
// starts[s + 1]) of W (starts[0] = 0, starts[S] = n, ascending), squares (m, S) = Σ_j p̂_rj² and
// abs_sums (m, S) = Σ_j |p̂_rj| over the segment's columns, the float32 p̂ widened and summed in float64
// in no fixed order (what MASC's bounds take: probe/masc.h). `partials` holds each thread's sums.
void amx_bf16x3_segment_sums(const float* x, int64_t m, const AmxBf16x3Weights& w, std::span<const int64_t> starts,
                             double* squares, double* abs_sums, AmxTiles& rows_scratch, std::vector<double>& partials);

}  // namespace probenet::cpu
