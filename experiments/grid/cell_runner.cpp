#include "experiments/grid/cell_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "experiments/common/experiment.h"
#include "experiments/common/run_folder.h"
#include "experiments/protocols/protocol_registry.h"
#include "tensor/error.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

namespace {

// Sends this process's stdout and stderr to `path` (appending) for as long as it lives.
class OutputToFile {
public:
    explicit OutputToFile(const std::string& path) {
        std::fflush(stdout);
        std::fflush(stderr);
        const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        PROBENET_CHECK(fd >= 0, "cannot open the cell's log ", path);
        saved_out_ = dup(STDOUT_FILENO);
        saved_err_ = dup(STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    ~OutputToFile() {
        std::fflush(stdout);
        std::fflush(stderr);
        dup2(saved_out_, STDOUT_FILENO);
        dup2(saved_err_, STDERR_FILENO);
        close(saved_out_);
        close(saved_err_);
    }
    OutputToFile(const OutputToFile&) = delete;
    OutputToFile& operator=(const OutputToFile&) = delete;

private:
    int saved_out_ = -1, saved_err_ = -1;
};

}  // namespace

std::vector<std::string> cell_arguments(const GridCell& cell, const GridOptions& o) {
    std::vector<std::string> args{cell.pair,      "--corrupt", corruption_text(cell.corrupt), "--run",
                                  std::to_string(cell.run), "--out", cell.folder, "--data", cell.data_dir};
    if (o.train_size > 0) args.insert(args.end(), {"--train-size", std::to_string(o.train_size)});
    if (o.max_epochs >= 0) args.insert(args.end(), {"--max-epochs", std::to_string(o.max_epochs)});
    if (o.threads > 0) args.insert(args.end(), {"--threads", std::to_string(o.threads)});
    if (!o.device.empty()) args.insert(args.end(), {"--device", o.device});
    if (fs::exists(fs::path(cell.folder) / "train_state.safetensors")) args.push_back("--resume");
    return args;
}

CellOutcome run_cell(const GridCell& cell, const GridOptions& o) {
    CellOutcome outcome;
    std::vector<std::string> args = cell_arguments(cell, o);
    outcome.resumed = args.back() == "--resume";
    // The claim: no other grid process (rank, share) writes into this folder, its log included, while
    // this one runs the cell. It throws, naming the holder's pid, when another one holds it.
    const RunFolder claim(cell.folder, "grid.lock");
    outcome.log = (fs::path(cell.folder) / "cell.log").string();
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    {
        OutputToFile redirect(outcome.log);
        const std::time_t now = std::time(nullptr);
        char when[64];
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
        std::printf("=== ./experiments/paper, pid %d, %s:", static_cast<int>(getpid()), when);
        for (const std::string& a : args) std::printf(" %s", a.c_str());
        std::printf("\n");
        outcome.exit_code = run_experiment(protocol_named(cell.pair), static_cast<int>(args.size()), argv.data());
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

}  // namespace probenet::experiments
