// Rng: the project's one source of randomness, an MT19937 stream seeded explicitly.
//
// The generator and the two derived draws below follow numpy's legacy RandomState exactly, so the
// paper's label corruption (np.random.seed(42); rand; choice) is reproduced bit for bit:
//   uniform_double() = ((a >> 5) * 2^26 + (b >> 6)) / 2^53      from two successive 32-bit outputs
//   randint(K)       = repeat v = next_u32() & mask until v <= K-1, mask = smallest 2^b - 1 >= K-1
// std::mt19937(seed) is MT19937 with init_genrand(seed), the same state numpy's seed(int) builds.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace probenet {

class Rng {
public:
    explicit Rng(uint32_t seed) : engine_(seed) {}

    uint32_t next_u32() { return static_cast<uint32_t>(engine_()); }

    // numpy legacy `rand()`: a double in [0, 1) with 53 random bits.
    double uniform_double() {
        const uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    // numpy legacy `randint(0, k)` (and so `choice(k)`): masked rejection sampling.
    uint32_t randint(uint32_t k) {
        if (k <= 1) return 0;
        const uint32_t max = k - 1;
        uint32_t mask = max;
        for (int shift = 1; shift < 32; shift <<= 1) mask |= mask >> shift;
        uint32_t v;
        do v = next_u32() & mask;
        while (v > max);
        return v;
    }

    // Uniform float in [low, high).
    float uniform(float low, float high) { return low + static_cast<float>(uniform_double()) * (high - low); }

    // Standard normal by Box–Muller on two uniform doubles (no cached second value: one call, one draw pair).
    float normal(float mean, float std) {
        const double u1 = 1.0 - uniform_double(), u2 = uniform_double();
        return mean + std * static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }

private:
    std::mt19937 engine_;
};

}  // namespace probenet
