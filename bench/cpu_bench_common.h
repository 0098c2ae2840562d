// Shared part of the CPU step benchmarks (cnn_step_bench, alexnet_step_bench): the clock, the
// median-of-repeats timer of one op, and the `--flag` / `--flag N` command-line lookups.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace probenet::bench {

inline double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Median milliseconds of one call of fn, after one untimed call, over at least `min_calls` calls and
// `min_ms` milliseconds: on a machine shared with other jobs the median ignores the calls that lost
// their core for a while.
inline double time_op(const std::function<void()>& fn, size_t min_calls, double min_ms) {
    fn();
    std::vector<double> times;
    const double start = now_ms();
    while (times.size() < min_calls || now_ms() - start < min_ms) {
        const double t0 = now_ms();
        fn();
        times.push_back(now_ms() - t0);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

inline bool has_flag(int argc, char** argv, const char* flag) {
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

// The integer after `flag`, or `fallback` when the flag is absent.
inline int parse_int(int argc, char** argv, const char* flag, int fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], flag) == 0) return std::atoi(argv[i + 1]);
    return fallback;
}

}  // namespace probenet::bench
