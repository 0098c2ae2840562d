// Test helper: runs a shell command with its stdout and stderr captured in a log file, and returns
// the exit code (-1 when it did not exit normally, e.g. killed) with that output.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace probenet::testing {

struct CommandResult {
    int code;
    std::string output;  // stdout and stderr
};

inline CommandResult run_command(const std::string& command, const std::string& log) {
    const int status = std::system((command + " > '" + log + "' 2>&1").c_str());
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

}  // namespace probenet::testing
