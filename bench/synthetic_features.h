// Synthetic ReLU-like layer features for bench/probe_bench: for class c a row of width d is
//   x = max(0, m + o_c + Σ_{j<r} z_j s_j D_c[j] + σ·u),  z ~ N(0,1), u ~ U(−1,1), s_j = (1+j)^−0.6,
// m a shared mean, o_c a class offset, D_c = 0.9·D_shared + 0.2·D_own,c a random (r, d) dictionary,
// r = min(d/4, 128). Row i depends only on the seed and i, so a pass can regenerate the training rows
// instead of storing them.
#pragma once

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace probenet::bench {

// splitmix64: a fast, seedable stream for the generator (not the project Rng: speed, not numpy parity).
struct Fast {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform() { return static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f; }  // U(−1, 1)
    float normal() {  // Box–Muller, one of the pair
        const double u1 = (static_cast<double>(next() >> 11) + 1.0) / 9007199254740993.0;
        const double u2 = static_cast<double>(next() >> 11) / 9007199254740992.0;
        return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
};

class FeatureGenerator {
public:
    static constexpr float kOffset = 0.05f, kShared = 0.9f, kOwn = 0.2f;

    FeatureGenerator(int64_t d, int32_t k, uint64_t seed)
        : d_(d), r_(std::min<int64_t>(d / 4, 128)), seed_(seed) {
        Fast g{seed};
        mean_.resize(static_cast<size_t>(d));
        for (float& v : mean_) v = 0.4f * std::abs(g.normal()) - 0.1f;
        offsets_.resize(static_cast<size_t>(k * d));
        for (float& v : offsets_) v = kOffset * g.normal();
        // Class dictionaries share most of their directions, so the class subspaces overlap.
        std::vector<float> common(static_cast<size_t>(r_ * d));
        for (float& v : common) v = g.normal();
        dict_.resize(static_cast<size_t>(k * r_ * d));
        const float norm = 4.0f / std::sqrt(static_cast<float>(d));
        for (int64_t c = 0; c < k; ++c)
            for (int64_t j = 0; j < r_; ++j) {
                const float s = norm * std::pow(1.0f + static_cast<float>(j), -0.6f);
                for (int64_t t = 0; t < d; ++t)
                    dict_[(c * r_ + j) * d + t] = s * (kShared * common[j * d + t] + kOwn * g.normal());
            }
    }

    // Rows [begin, begin + n) of the stream (their classes in `labels`), into out (n, d).
    void rows(int64_t begin, int64_t n, const int32_t* labels, std::vector<float>& out) const {
        out.resize(static_cast<size_t>(n * d_));
        std::vector<float> z(static_cast<size_t>(r_));
#pragma omp parallel for schedule(static) firstprivate(z)
        for (int64_t i = 0; i < n; ++i) {
            Fast g{seed_ * 1000003u + static_cast<uint64_t>(begin + i)};
            const int32_t c = labels[i];
            for (float& v : z) v = g.normal();
            float* x = out.data() + i * d_;
            const float* o = offsets_.data() + c * d_;
            for (int64_t t = 0; t < d_; ++t) x[t] = mean_[t] + o[t] + 0.05f * g.uniform();
            cblas_sgemv(CblasRowMajor, CblasTrans, static_cast<int>(r_), static_cast<int>(d_), 1.0f,
                        dict_.data() + c * r_ * d_, static_cast<int>(d_), z.data(), 1, 1.0f, x, 1);
            for (int64_t t = 0; t < d_; ++t) x[t] = std::max(x[t], 0.0f);
        }
    }

private:
    int64_t d_, r_;
    uint64_t seed_;
    std::vector<float> mean_, offsets_, dict_;
};

}  // namespace probenet::bench
