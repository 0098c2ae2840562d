// Static splits of a parallel loop that follow the threads' speeds. A loop whose threads must each own
// one contiguous range (per-thread buffers, cache locality) cannot hand its work out dynamically; with
// equal ranges it waits for the slowest thread. On a shared virtual machine one vCPU at a time slows
// down for seconds (another tenant on its core): the fused linear backward's two threads then finished
// 15–38 % apart. Here each loop shape (a key) keeps one share per thread; a call splits its range by
// those shares, times each thread's part, and moves the shares halfway toward the measured speeds:
//   speed_t = items_t / seconds_t,   share_t ← max(floor, (share_t + speed_t / Σ speed) / 2), renormalised,
// floor = 1 / (4·threads). A new key starts from equal shares. Only for loops whose results do not
// depend on who computes what: the split moves from call to call.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace probenet::cpu {

class ThreadShares {
public:
    // Boundaries b[0] = 0 ≤ b[1] ≤ … ≤ b[threads] = total, each inner one a multiple of `grain`: thread
    // t takes [b[t], b[t + 1]).
    std::vector<int64_t> split(uint64_t key, int threads, int64_t total, int64_t grain);
    // Records that thread t took seconds[t] for [bounds[t], bounds[t + 1]) of a split of `key`.
    // Ignored when a thread had no items or no measurable time.
    void learn(uint64_t key, const std::vector<int64_t>& bounds, const std::vector<double>& seconds);
    // The current shares of `key` (equal for a key not seen yet), for tests.
    std::vector<double> shares(uint64_t key, int threads);

private:
    std::vector<double>& entry(uint64_t key, int threads);  // caller holds mutex_
    std::mutex mutex_;
    std::unordered_map<uint64_t, std::vector<double>> shares_;
};

// The process's table, shared by every loop that uses one.
ThreadShares& thread_shares();

// One parallel call's split of [0, total) by thread_shares(): made before the region for the `team`
// of threads it asks for, then each thread calls begin() for its range and end() when done, and the
// times are learned when the SplitRun goes out of scope. A region that got another number of threads
// (a nested one) splits evenly in grains and teaches nothing.
class SplitRun {
public:
    SplitRun(uint64_t key, int team, int64_t total, int64_t grain);
    ~SplitRun();
    SplitRun(const SplitRun&) = delete;
    SplitRun& operator=(const SplitRun&) = delete;
    // Thread `me` of `threads`: its range [first, second), and its clock starts.
    std::pair<int64_t, int64_t> begin(int threads, int me);
    void end(int me);

private:
    uint64_t key_;
    int team_;
    int64_t total_, grain_;
    std::vector<int64_t> bounds_;
    std::vector<double> started_, seconds_;
    std::atomic<bool> planned_{true};
};

}  // namespace probenet::cpu
