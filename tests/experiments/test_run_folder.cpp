// RunFolder: the output folder is checked and locked before a run writes to it. A folder that cannot
// be written is refused without creating anything; a second holder of the same folder (a forked
// child here, as a second process) is refused with a message naming the first one's pid; the lock
// goes with its holder.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "data/idx_test_files.h"
#include "experiments/common/run_folder.h"
#include "tensor/error.h"

namespace fs = std::filesystem;
using probenet::Error;
using probenet::experiments::check_writable_folder;
using probenet::experiments::RunFolder;
using Catch::Contains;

namespace {

// Exit code of a forked child that tries to claim `dir`: 0 claimed, 1 refused naming `holder`'s pid,
// 2 refused otherwise.
int claim_in_child(const std::string& dir, pid_t holder) {
    const pid_t child = fork();
    if (child == 0) {
        int code = 0;
        try {
            RunFolder second(dir);
        } catch (const Error& e) {
            const std::string message = e.what();
            code = message.find("pid " + std::to_string(holder)) != std::string::npos &&
                           message.find("in use by another run") != std::string::npos
                       ? 1
                       : 2;
        }
        _exit(code);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("RunFolder creates the folder and refuses a second process while it holds the lock",
          "[experiments][run_folder]") {
    probenet::data::testing::TempDir tmp;
    const std::string dir = tmp.file("a/b/run1");
    {
        RunFolder folder(dir);
        CHECK(fs::is_directory(dir));
        std::ifstream lock(dir + "/run.lock");
        std::string pid;
        lock >> pid;
        CHECK(pid == std::to_string(getpid()));
        CHECK(claim_in_child(dir, getpid()) == 1);
    }
    CHECK(claim_in_child(dir, getpid()) == 0);  // released with its holder
    RunFolder again(dir);                      // and the same process may claim it again
}

TEST_CASE("RunFolder refuses a folder it cannot write without creating anything", "[experiments][run_folder]") {
    probenet::data::testing::TempDir tmp;
    const std::string file = tmp.file("plain_file");
    std::ofstream(file) << "x";
    CHECK_THROWS_WITH(RunFolder(file), Contains(file) && Contains("not a folder"));
    CHECK_THROWS_WITH(RunFolder(file + "/run1"), Contains(file + "/run1") && Contains("cannot be created"));
    CHECK_THROWS_WITH(check_writable_folder(file + "/run1"), Contains("--out"));
    if (geteuid() != 0) {  // root writes through permission bits
        const std::string locked = tmp.file("read_only");
        fs::create_directories(locked);
        chmod(locked.c_str(), 0555);
        CHECK_THROWS_WITH(RunFolder(locked + "/p0.80/run1"), Contains(locked) && Contains("not writable"));
        CHECK_FALSE(fs::exists(locked + "/p0.80"));
        CHECK_THROWS_WITH(RunFolder(locked), Contains("not writable"));
        chmod(locked.c_str(), 0755);
    }
    CHECK(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator()) ==
          (geteuid() != 0 ? 2 : 1));  // nothing new beside what the test made
}
