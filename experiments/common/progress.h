// ProgressBar: where a long loop is (an epoch's steps, a probe pass's rows), with its rate and ETA
// (ETA = elapsed / done · (total − done)).
//   on a terminal   one line redrawn in place at most every 0.2 s, erased by clear()
//   into a file     a plain line at most every 30 s (none for a loop that ends sooner), so logs of
//   or a pipe       long runs show progress without a line per step
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace probenet::experiments {

class ProgressBar {
public:
    // `unit` names what is counted: "steps", "rows". `out` decides the mode (a terminal or not);
    // `plain_every` is the plain mode's interval.
    ProgressBar(std::string label, int64_t total, std::string unit = "steps", std::FILE* out = stdout,
                std::chrono::milliseconds plain_every = std::chrono::seconds(30));
    void update(int64_t done, const std::string& status = "");
    void clear();  // erase the bar before printing a regular line

private:
    std::string label_, unit_;
    int64_t total_;
    std::FILE* out_;
    bool terminal_;
    std::chrono::milliseconds plain_every_;
    std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace probenet::experiments
