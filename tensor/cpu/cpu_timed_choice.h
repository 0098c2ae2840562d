// The faster of two ways to run a call, chosen by measured time. For kernels with two variants that
// give the same bits but whose speed depends on the state of the machine: the fused SGD update's
// stores through the caches or around them (non-temporal), which of the two is faster flips on this
// project's shared virtual machine (cpu_linear_backward.cpp).
//
// Per key (a call's shape and thread count), each variant v keeps an estimate t_v of a call's seconds:
//   t_v ← s               for a call of v that took s seconds after a call of the other variant (or
//                         the first of v): an exploration, or the first call after a switch;
//   t_v ← (t_v + s) / 2   for a call of v after a call of v.
// A call runs the current variant, except every kExplore-th call, which runs the other so that its
// estimate follows the machine. Variant 0 is the default: variant 1 becomes current when
// t_1 < kSwitch·t_0, variant 0 again when t_0 ≤ t_1. A call's time varies by several per cent from call
// to call; without that margin a variant 7 % slower took over after single slow calls of the better
// one. The first 2 calls of a key run variant 0, the next 2 variant 1. A variant forced process-wide
// (tests, benchmarks) runs every call, and those calls teach nothing: an A/B of forced against chosen
// calls in one process then measures the choice as it would run alone.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace probenet::cpu {

class TimedChoice {
public:
    static constexpr int64_t kExplore = 32;
    static constexpr int kWarm = 2;
    static constexpr double kSwitch = 0.9;

    // The variant (0 or 1) the next call of `key` runs; `both` false: only variant 0 applies to it
    // (that call then teaches nothing).
    int pick(uint64_t key, bool both);
    // Records that a call of `key` took `seconds` with `variant`.
    void learn(uint64_t key, int variant, double seconds);
    // −1: choose by time (the default); 0 or 1: every call where both apply runs that variant.
    void force(int variant);
    // The current estimate of a variant's seconds (negative: not measured yet), and how many calls of
    // `key` ran the variant (forced ones too), for tests.
    double estimate(uint64_t key, int variant);
    int64_t runs(uint64_t key, int variant);

private:
    struct Entry {
        double seconds[2] = {-1.0, -1.0};
        int samples[2] = {0, 0};
        int64_t calls = 0, runs[2] = {0, 0};
        int current = 0;
        int last = -1;  // the variant of the key's last call
    };
    int choose(Entry& e);  // caller holds mutex_
    std::mutex mutex_;
    std::unordered_map<uint64_t, Entry> entries_;
    int forced_ = -1;
};

// One timed call: picks its variant at construction and teaches the time to the destructor.
class TimedPick {
public:
    TimedPick(TimedChoice& choice, uint64_t key, bool both);
    ~TimedPick();
    TimedPick(const TimedPick&) = delete;
    TimedPick& operator=(const TimedPick&) = delete;
    int variant() const { return variant_; }

private:
    TimedChoice& choice_;
    uint64_t key_;
    bool both_;
    int variant_;
    double started_;
};

// The process's choice between the fused SGD update's cached and streaming stores
// (cpu_linear_backward.cpp): variant 0 stores through the caches, 1 around them.
TimedChoice& update_store_choice();

}  // namespace probenet::cpu
