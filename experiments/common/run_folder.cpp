#include "experiments/common/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include "tensor/error.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

namespace {

// The folder itself when it exists, else the nearest existing one above it ("." for a relative
// path with no existing part).
fs::path nearest_existing(const fs::path& dir) {
    fs::path p = fs::absolute(dir).lexically_normal();
    while (!p.empty() && !fs::exists(p) && p.has_parent_path() && p.parent_path() != p) p = p.parent_path();
    return p;
}

// The topmost folder of `dir` that does not exist yet (what create_directories would create first).
fs::path first_missing(const fs::path& dir) {
    fs::path p = fs::absolute(dir).lexically_normal(), missing;
    while (!p.empty() && !fs::exists(p)) {
        missing = p;
        if (!p.has_parent_path() || p.parent_path() == p) break;
        p = p.parent_path();
    }
    return missing;
}

std::string read_pid(int fd) {
    char buf[32] = {};
    const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return pid.empty() ? "unknown" : pid;
}

}  // namespace

void check_writable_folder(const std::string& dir, const std::string& flag) {
    const fs::path target(dir);
    if (fs::exists(target)) {
        PROBENET_CHECK(fs::is_directory(target), flag, " ", dir, " exists and is not a folder");
        PROBENET_CHECK(access(dir.c_str(), W_OK | X_OK) == 0, flag, " ", dir, " is not writable (",
                       std::strerror(errno), "); give a folder you can write to");
        return;
    }
    const fs::path base = nearest_existing(target);
    PROBENET_CHECK(fs::is_directory(base), flag, " ", dir, " cannot be created: ", base.string(),
                   " is not a folder");
    PROBENET_CHECK(access(base.c_str(), W_OK | X_OK) == 0, flag, " ", dir, " cannot be created: ", base.string(),
                   " is not writable (", std::strerror(errno), "); give a folder you can write to");
}

RunFolder::RunFolder(const std::string& dir, const std::string& lock_name) : dir_(dir) {
    check_writable_folder(dir);
    const fs::path created = first_missing(dir);  // empty when the folder exists
    std::error_code ec;
    fs::create_directories(dir, ec);
    PROBENET_CHECK(!ec, "--out ", dir, ": cannot create the folder (", ec.message(), ")");
    const auto undo = [&] {
        if (!created.empty()) fs::remove_all(created, ec);
    };
    const std::string lock_path = (fs::path(dir) / lock_name).string();
    lock_fd_ = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
        const std::string why = std::strerror(errno);
        undo();
        throw Error("--out " + dir + ": cannot create " + lock_path + " (" + why + "); give a folder you can write to");
    }
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        const std::string holder = read_pid(lock_fd_);
        close(lock_fd_);
        lock_fd_ = -1;
        throw Error("--out " + dir + " is in use by another run (pid " + holder + ", " + lock_path +
                    "); wait for it to finish or give another --out");
    }
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(lock_fd_, 0) != 0 ||
        pwrite(lock_fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        const std::string why = std::strerror(errno);
        close(lock_fd_);
        lock_fd_ = -1;
        undo();
        throw Error("--out " + dir + ": cannot write " + lock_path + " (" + why + ")");
    }
}

RunFolder::~RunFolder() {
    if (lock_fd_ >= 0) close(lock_fd_);  // releases the lock; the file stays (removing it would race)
}

}  // namespace probenet::experiments
