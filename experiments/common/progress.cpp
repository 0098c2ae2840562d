// ProgressBar: see progress.h.
#include "experiments/common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace probenet::experiments {

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit, std::FILE* out,
                         std::chrono::milliseconds plain_every)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), out_(out), terminal_(isatty(fileno(out)) != 0),
      plain_every_(plain_every), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressBar::update(int64_t done, const std::string& status) {
    const auto now = std::chrono::steady_clock::now();
    const auto interval = terminal_ ? std::chrono::milliseconds(200) : plain_every_;
    if (now - last_draw_ < interval && (!terminal_ || done < total_)) return;
    last_draw_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
    const double eta = done > 0 ? elapsed / double(done) * double(total_ - done) : 0.0;
    const std::string sep = status.empty() ? "" : "  ";
    if (!terminal_) {
        std::fprintf(out_, "%s: %lld/%lld %s, %.1f %s/s%s%s, ETA %.0fs\n", label_.c_str(),
                     static_cast<long long>(done), static_cast<long long>(total_), unit_.c_str(), rate, unit_.c_str(),
                     sep.c_str(), status.c_str(), eta);
        std::fflush(out_);
        return;
    }
    constexpr int width = 30;
    const int filled = total_ > 0 ? static_cast<int>(width * done / total_) : width;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::fprintf(out_, "\r%s [%s] %lld/%lld  %.1f %s/s%s%s  ETA %.0fs\033[K", label_.c_str(), bar.c_str(),
                static_cast<long long>(done), static_cast<long long>(total_), rate, unit_.c_str(), sep.c_str(),
                status.c_str(), eta);
    std::fflush(out_);
}

void ProgressBar::clear() {
    if (!terminal_) return;
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
}

}  // namespace probenet::experiments
