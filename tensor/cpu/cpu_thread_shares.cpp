// Static splits of a parallel loop that follow the threads' speeds (see cpu_thread_shares.h).
#include "tensor/cpu/cpu_thread_shares.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

namespace probenet::cpu {

std::vector<double>& ThreadShares::entry(uint64_t key, int threads) {
    // The thread count is part of the key: a table learned on 2 threads says nothing about 3.
    std::vector<double>& s = shares_[key * 131u + static_cast<uint64_t>(threads)];
    if (static_cast<int>(s.size()) != threads) s.assign(static_cast<size_t>(threads), 1.0 / threads);
    return s;
}

std::vector<double> ThreadShares::shares(uint64_t key, int threads) {
    std::lock_guard<std::mutex> lock(mutex_);
    return entry(key, threads);
}

std::vector<int64_t> ThreadShares::split(uint64_t key, int threads, int64_t total, int64_t grain) {
    const std::vector<double> s = shares(key, threads);
    const int64_t grains = (total + grain - 1) / grain;
    std::vector<int64_t> bounds(static_cast<size_t>(threads) + 1, 0);
    double sum = 0;
    for (int t = 0; t < threads; ++t) {
        sum += s[static_cast<size_t>(t)];
        const int64_t g = t + 1 == threads ? grains : std::llround(static_cast<double>(grains) * sum);
        bounds[static_cast<size_t>(t) + 1] = std::clamp(grain * g, bounds[static_cast<size_t>(t)], total);
    }
    bounds.back() = total;
    return bounds;
}

void ThreadShares::learn(uint64_t key, const std::vector<int64_t>& bounds, const std::vector<double>& seconds) {
    const int threads = static_cast<int>(seconds.size());
    std::vector<double> speed(seconds.size());
    double total = 0;
    for (int t = 0; t < threads; ++t) {
        const int64_t items = bounds[static_cast<size_t>(t) + 1] - bounds[static_cast<size_t>(t)];
        if (items <= 0 || !(seconds[static_cast<size_t>(t)] > 0)) return;
        total += speed[static_cast<size_t>(t)] = static_cast<double>(items) / seconds[static_cast<size_t>(t)];
    }
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<double>& s = entry(key, threads);
    const double floor = 0.25 / threads;
    double sum = 0;
    for (int t = 0; t < threads; ++t) {
        double& v = s[static_cast<size_t>(t)];
        sum += v = std::max(floor, 0.5 * (v + speed[static_cast<size_t>(t)] / total));
    }
    for (double& v : s) v /= sum;
}

ThreadShares& thread_shares() {
    static ThreadShares table;
    return table;
}

SplitRun::SplitRun(uint64_t key, int team, int64_t total, int64_t grain)
    : key_(key),
      team_(team),
      total_(total),
      grain_(grain),
      // One thread has nothing to split or learn: no table lookup, no lock.
      bounds_(team > 1 ? thread_shares().split(key, team, total, grain) : std::vector<int64_t>{0, total}),
      started_(static_cast<size_t>(team), 0.0),
      seconds_(static_cast<size_t>(team), 0.0) {}

std::pair<int64_t, int64_t> SplitRun::begin(int threads, int me) {
    if (threads != team_) {
        planned_ = false;
        const int64_t grains = (total_ + grain_ - 1) / grain_;
        return {std::min(total_, grain_ * (grains * me / threads)),
                std::min(total_, grain_ * (grains * (me + 1) / threads))};
    }
    started_[static_cast<size_t>(me)] = omp_get_wtime();
    return {bounds_[static_cast<size_t>(me)], bounds_[static_cast<size_t>(me) + 1]};
}

void SplitRun::end(int me) {
    if (planned_ && me < team_)
        seconds_[static_cast<size_t>(me)] = omp_get_wtime() - started_[static_cast<size_t>(me)];
}

SplitRun::~SplitRun() {
    if (team_ > 1 && planned_) thread_shares().learn(key_, bounds_, seconds_);
}

}  // namespace probenet::cpu
