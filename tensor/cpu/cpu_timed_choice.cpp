// The faster of two bit-identical variants of a call, by measured time (see cpu_timed_choice.h).
#include "tensor/cpu/cpu_timed_choice.h"

#include <omp.h>

namespace probenet::cpu {

int TimedChoice::pick(uint64_t key, bool both) {
    if (!both) return 0;
    std::lock_guard<std::mutex> lock(mutex_);
    Entry& e = entries_[key];
    const int v = choose(e);
    ++e.runs[v];
    return v;
}

int TimedChoice::choose(Entry& e) {
    if (forced_ >= 0) return forced_;
    const int64_t call = e.calls++;
    if (e.samples[0] < kWarm) return 0;
    if (e.samples[1] < kWarm) return 1;
    if (e.current == 0 && e.seconds[1] < kSwitch * e.seconds[0]) e.current = 1;
    else if (e.current == 1 && e.seconds[0] <= e.seconds[1]) e.current = 0;
    return call % kExplore == kExplore - 1 ? 1 - e.current : e.current;
}

void TimedChoice::learn(uint64_t key, int variant, double seconds) {
    if (!(seconds >= 0.0) || variant < 0 || variant > 1) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (forced_ >= 0) return;
    Entry& e = entries_[key];
    double& t = e.seconds[variant];
    t = e.samples[variant]++ == 0 || e.last != variant ? seconds : 0.5 * (t + seconds);
    e.last = variant;
}

void TimedChoice::force(int variant) {
    std::lock_guard<std::mutex> lock(mutex_);
    forced_ = variant == 0 || variant == 1 ? variant : -1;
}

double TimedChoice::estimate(uint64_t key, int variant) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(key);
    return it == entries_.end() || it->second.samples[variant] == 0 ? -1.0 : it->second.seconds[variant];
}

int64_t TimedChoice::runs(uint64_t key, int variant) {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = entries_.find(key);
    return it == entries_.end() ? 0 : it->second.runs[variant];
}

TimedPick::TimedPick(TimedChoice& choice, uint64_t key, bool both)
    : choice_(choice), key_(key), both_(both), variant_(choice.pick(key, both)), started_(omp_get_wtime()) {}

TimedPick::~TimedPick() {
    if (both_) choice_.learn(key_, variant_, omp_get_wtime() - started_);
}

TimedChoice& update_store_choice() {
    static TimedChoice choice;
    return choice;
}

}  // namespace probenet::cpu
