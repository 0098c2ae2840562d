// Label corruption: the paper's random relabelling, bit-exact with the authors' numpy code.
//
//   np.random.seed(seed)
//   mask = np.random.rand(N) <= p                   # MaskRule::AtMost (MNIST, Fashion-MNIST, CIFAR)
//   labels[mask] = np.random.choice(K, mask.sum())
//
// i.e. N uniform doubles are drawn first, one per sample in dataset order, and decide the mask; then
// one randint(K) per masked sample, in order. A new label is uniform over all K classes, the true
// one included, so about p·(K−1)/K of the labels end up wrong. tensor/random.h's Rng reproduces
// numpy's legacy MT19937 stream, rand() and randint(0, K).
//
// Tiny ImageNet's code instead masks with `rand < p` and corrupts only when p > 0: MaskRule::Below
// (for p = 0 it returns the labels untouched without drawing anything). Both rules give the same
// labels unless a draw equals p exactly.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace probenet::data {

enum class MaskRule {
    AtMost,  // rand <= p  (the default; MNIST, Fashion-MNIST, CIFAR-10/100)
    Below,   // rand < p, only when p > 0  (Tiny ImageNet)
};

// labels: N values in [0, num_classes). p in [0, 1]. Returns the corrupted copy.
std::vector<int32_t> corrupt_labels(const std::vector<int32_t>& labels, double p, int num_classes, uint32_t seed = 42,
                                    MaskRule rule = MaskRule::AtMost);

// How many positions hold the same label in `a` and `b` (equal lengths): corrupted vs true labels,
// predictions vs labels. The one agreement count of the code base.
int64_t count_equal(std::span<const int32_t> a, std::span<const int32_t> b);

}  // namespace probenet::data
