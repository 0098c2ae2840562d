// The output folder of one run, claimed before any work writes to it: the folder is checked for
// writability (or the nearest existing folder above it, when it must be created), created, and an
// exclusive flock(2) is taken on <folder>/run.lock for as long as the RunFolder lives. The lock file
// holds the owner's pid, so a second process given the same --out (two grid ranks, a run started
// twice) is refused with a message naming it. The kernel drops the lock when the process ends, even
// on kill -9, so a stale run.lock never blocks a --resume.
#pragma once

#include <string>

namespace probenet::experiments {

class RunFolder {
public:
    // Throws probenet::Error naming the folder when it cannot be written or is locked by another
    // process; a folder this constructor created is removed again before it throws. `lock_name` is
    // the lock file in the folder: run.lock for a run; the paper grid claims a cell with grid.lock
    // before it runs the cell (whose run then takes run.lock).
    explicit RunFolder(const std::string& dir, const std::string& lock_name = "run.lock");
    ~RunFolder();
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    const std::string& dir() const { return dir_; }

private:
    std::string dir_;
    int lock_fd_ = -1;
};

// Throws probenet::Error unless `dir` could be created and written: an existing `dir` must be a
// writable folder, otherwise the nearest existing folder above it must be. Creates nothing.
void check_writable_folder(const std::string& dir, const std::string& flag = "--out");

}  // namespace probenet::experiments
