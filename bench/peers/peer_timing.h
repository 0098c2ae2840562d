// Shared by the peer programs: their two arguments and the line they print.
//   <program> [steps] [threads]   → steps S batch B step_ms X median_ms M
// step_ms is the mean over the timed steps, after `warmup` untimed ones, as in bench/torch_step.py.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <vector>

struct PeerArgs {
    int steps, threads;
};

inline PeerArgs peer_args(int argc, char** argv, int default_steps) {
    PeerArgs a{argc > 1 ? std::atoi(argv[1]) : default_steps, argc > 2 ? std::atoi(argv[2]) : 2};
    if (a.steps < 1 || a.threads < 1) {
        std::fprintf(stderr, "usage: %s [steps >= 1] [threads >= 1]\n", argv[0]);
        std::exit(2);
    }
    return a;
}

// Runs step(i) warmup + steps times and prints the timing line.
inline void time_peer_steps(int steps, int warmup, int batch, const std::function<void(int)>& step) {
    std::vector<double> ms;
    for (int i = 0; i < warmup + steps; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        step(i);
        const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (i >= warmup) ms.push_back(t);
    }
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    std::sort(ms.begin(), ms.end());
    std::printf("steps %d batch %d step_ms %.3f median_ms %.3f\n", steps, batch, mean, ms[ms.size() / 2]);
}
