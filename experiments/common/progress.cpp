#include "experiments/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace probenet::experiments {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(fileno(stdout)) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressBar::update(int64_t done, const std::string& status) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double eta = done > 0 ? elapsed / double(done) * double(total_ - done) : 0.0;
    constexpr int width = 30;
    const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::printf("\r%s [%s] %lld/%lld  %s  ETA %.0fs   ", label_.c_str(), bar.c_str(), static_cast<long long>(done),
                static_cast<long long>(total_), status.c_str(), eta);
    std::fflush(stdout);
}

void ProgressBar::clear() {
    if (!enabled_) return;
    std::printf("\r\033[K");
    std::fflush(stdout);
}

}  // namespace probenet::experiments
