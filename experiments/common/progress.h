// A one-line progress bar with ETA for the batches of an epoch, drawn only when stdout is a
// terminal (redirected output gets the per-epoch lines alone).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace probenet::experiments {

class ProgressBar {
public:
    ProgressBar(std::string label, int64_t total);
    void update(int64_t done, const std::string& status);
    void clear();  // erase the bar before printing a regular line

private:
    std::string label_;
    int64_t total_;
    bool enabled_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace probenet::experiments
