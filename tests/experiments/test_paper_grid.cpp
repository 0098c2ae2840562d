// ./experiments/paper, the paper grid, end to end on small synthetic MNIST-format datasets (two pairs,
// CNN–MNIST and CNN–Fashion-MNIST, p = 0 and 0.8, one run, 2000 training samples, 2 epochs, one thread
// per process): one process, two job-array shares (--cell I --of 2) and, where MPI was built,
// mpirun -np 2 --oversubscribe produce the same cells and the same aggregate; bad input ends in a clear
// message before any work; a second grid process given a running cell skips it; kill -9 at any moment
// loses at most the epoch in progress and never leaves an aggregate file half-written. Also the share
// assignment itself.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "data/dataset_dirs.h"
#include "data/idx_test_files.h"
#include "experiments/grid/grid_shares.h"
#include "run_command.h"

extern char** environ;

namespace fs = std::filesystem;
using Catch::Contains;
using probenet::data::testing::TempDir;

namespace {

const std::string kPaper = std::string(PROBENET_EXPERIMENTS_DIR) + "/paper";
const std::string kTinyGrid = "--pairs cnn_mnist,cnn_fashion_mnist --corrupt 0,0.8 --runs 1 --train-size 2000 "
                              "--max-epochs 2 --threads 1 --device cpu";

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// An MNIST-format dataset (the four IDX files) of `train` + `test` 28×28 images whose pixels depend on
// their label, so that the CNN has something to learn.
void write_mnist_format(const std::string& dir, int train, int test, uint32_t salt) {
    fs::create_directories(dir);
    auto write = [&](const std::string& stem, int n, uint32_t offset) {
        probenet::data::testing::Bytes images, labels;
        for (int i = 0; i < n; ++i) {
            const uint8_t label = static_cast<uint8_t>((uint32_t(i) * 7u + salt + offset) % 10u);
            labels.push_back(label);
            for (uint32_t j = 0; j < 784; ++j) {
                const uint32_t noise = (uint32_t(i) * 2654435761u + j * 40503u + salt) >> 24;
                images.push_back(static_cast<uint8_t>((j % 10 == label ? 160 : 0) + noise % 90));
            }
        }
        probenet::data::testing::write_plain(dir + "/" + stem + "-images-idx3-ubyte",
                                             probenet::data::testing::idx_bytes({uint32_t(n), 28, 28}, images));
        probenet::data::testing::write_plain(dir + "/" + stem + "-labels-idx1-ubyte",
                                             probenet::data::testing::idx_bytes({uint32_t(n)}, labels));
    };
    write("train", train, 0);
    write("t10k", test, 3);
}

std::string write_tiny_datasets(const TempDir& dir) {
    const std::string root = dir.file("data");
    write_mnist_format(root + "/mnist", 2000, 200, 1);
    write_mnist_format(root + "/fashion-mnist", 2000, 200, 5);
    return root;
}

probenet::testing::CommandResult paper(const std::string& args, const TempDir& dir, const std::string& log) {
    return probenet::testing::run_command(kPaper + " " + args, dir.file(log));
}

// Each finished cell (relative folder) → its layers.csv; and the aggregate's table and figure files.
struct GridFiles {
    std::map<std::string, std::string> cells;
    std::map<std::string, std::string> aggregate;
};

GridFiles grid_files(const std::string& out) {
    GridFiles files;
    for (const fs::directory_entry& e : fs::recursive_directory_iterator(out))
        if (e.path().filename() == "summary.json")
            files.cells[fs::relative(e.path().parent_path(), out).string()] = read_text(e.path().parent_path() / "layers.csv");
    for (const char* name : {"table1.csv", "table1.md", "figure2_cnn_mnist.svg", "figure2_cnn_fashion_mnist.svg"})
        files.aggregate[name] = read_text(fs::path(out) / "paper" / name);
    return files;
}

void require_same_grid(const GridFiles& a, const GridFiles& b) {
    REQUIRE(a.cells.size() == 4);
    CHECK(b.cells.size() == a.cells.size());
    for (const auto& [cell, layers] : a.cells) {
        INFO(cell);
        REQUIRE(b.cells.count(cell) == 1);
        CHECK(b.cells.at(cell) == layers);
    }
    for (const auto& [name, text] : a.aggregate) {
        INFO(name);
        CHECK(!text.empty());
        CHECK(b.aggregate.at(name) == text);
    }
}

// Under CI every test runs (as for the datasets, tests/data/dataset_dirs.h); elsewhere a test that
// needs mpirun says why it skips.
bool mpi_available_or_skip() {
#ifdef PROBENET_HAVE_MPI
    return true;
#else
    if (probenet::data::testing::running_under_ci())
        FAIL("CI=true but ./experiments/paper was built without MPI: `make deps` installs openmpi-bin and "
             "libopenmpi-dev, and CMake then builds it with MPI");
    WARN("SKIPPED: ./experiments/paper was built without MPI (install openmpi-bin and libopenmpi-dev, `make deps`, "
         "and reconfigure)");
    return false;
#endif
}

std::string mpirun_prefix() {
#ifdef PROBENET_HAVE_MPI
    // Open MPI refuses to start as root unless told; containers and CI runners often are root.
    const std::string root = geteuid() == 0 ? "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 " : "";
    // Open MPI does not free its own allocations by MPI_Finalize (LeakSanitizer lists
    // ompi_op_base_op_select, opal_argv_append_nosize and unloaded MCA components), so in `make sanitize`
    // the ranks run without leak detection; it stays on for the single-process and --cell runs of the
    // same grid, and AddressSanitizer and UBSan stay on everywhere. Other builds ignore the variable.
    return root + "ASAN_OPTIONS=detect_leaks=0 " + PROBENET_MPIEXEC + " -np 2 --oversubscribe -x ASAN_OPTIONS ";
#else
    return "";
#endif
}

// Starts ./experiments/paper with `args` as a child process (output in `log`) and returns its pid.
pid_t spawn_paper(const std::string& args, const std::string& log) {
    const std::string command = "exec " + kPaper + " " + args + " >> '" + log + "' 2>&1";
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) == 0);
    return pid;
}

int epochs_in(const fs::path& metrics) {
    std::ifstream in(metrics);
    int lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines > 0 ? lines - 1 : 0;
}

// Every aggregate file present is complete: the CSV has its header and whole rows, the Markdown its
// title and a final newline, the SVG its closing tag.
void require_whole_aggregate(const std::string& out) {
    const fs::path dir = fs::path(out) / "paper";
    if (fs::exists(dir / "table1.csv")) {
        const std::string csv = read_text(dir / "table1.csv");
        REQUIRE(csv.rfind("pair,p,runs,", 0) == 0);
        REQUIRE(csv.back() == '\n');
        std::stringstream lines(csv);
        std::string header;
        std::getline(lines, header);
        const auto commas = std::count(header.begin(), header.end(), ',');
        for (std::string line; std::getline(lines, line);) CHECK(std::count(line.begin(), line.end(), ',') == commas);
    }
    if (fs::exists(dir / "table1.md")) {
        const std::string md = read_text(dir / "table1.md");
        CHECK(md.rfind("# Table 1", 0) == 0);
        CHECK(md.back() == '\n');
    }
    for (const char* svg : {"figure2_cnn_mnist.svg", "figure2_cnn_fashion_mnist.svg"})
        if (fs::exists(dir / svg)) CHECK(read_text(dir / svg).find("</svg>\n") != std::string::npos);
}

}  // namespace

TEST_CASE("grid shares: longest first, each cell in exactly one share, balanced", "[experiments][paper]") {
    using probenet::experiments::assign_shares;
    const std::vector<double> seconds{10, 50, 20, 40, 30, 5};
    const std::vector<int> two = assign_shares(seconds, 2);
    CHECK(two == std::vector<int>{0, 0, 0, 1, 1, 1});  // 50 → 0, 40 → 1, 30 → 1, 20 → 0, 10 → 0 (tie), 5 → 1
    std::vector<double> load(2, 0);
    for (size_t i = 0; i < seconds.size(); ++i) load[static_cast<size_t>(two[i])] += seconds[i];
    CHECK(std::abs(load[0] - load[1]) <= 5);
    CHECK(assign_shares(seconds, 2) == two);  // the same in every process
    CHECK(assign_shares(seconds, 1) == std::vector<int>(6, 0));
    CHECK(probenet::experiments::longest_first(seconds) == std::vector<size_t>{1, 3, 4, 2, 0, 5});
}

TEST_CASE("./experiments/paper refuses bad input with a clear message before any work", "[experiments][paper]") {
    TempDir dir;
    const std::string root = write_tiny_datasets(dir), out = dir.file("out");
    const std::string base = "--data-root '" + root + "' --out '" + out + "' ";
    struct Case {
        std::string args, message;
    };
    const std::vector<Case> cases{
        {"--pairs mlp_mnist,nope", "unknown pair 'nope'; the registered pairs are mlp_mnist, cnn_mnist"},
        {"--corrupt 0,0.3", "--corrupt: 0.3 is not one of the paper's corruption degrees (0.00, 0.20, 0.40, 0.60, 0.80, 1.00)"},
        {"--runs 0", "--runs: '0' is not a run index"},
        {"--cell 2 --of 2", "--cell 2 --of 2: the shares of 2 are numbered 0 to 1"},
        {"--cell 1", "--cell I and --of N go together"},
        {"--pairs mlp_cifar10", "no cell of the selected grid can run"},
    };
    for (const Case& c : cases) {
        const auto e = paper(base + c.args, dir, "bad.log");
        INFO(c.args << "\n" << e.output);
        CHECK(e.code != 0);
        CHECK_THAT(e.output, Contains("paper: error: ") && Contains(c.message));
    }
    // A pair without its dataset: its cells are listed as unavailable with the layout expected, the rest plans.
    const auto partial = paper(base + "--pairs cnn_mnist,mlp_cifar10 --corrupt 0 --runs 1 --plan", dir, "plan.log");
    INFO(partial.output);
    CHECK(partial.code == 0);
    CHECK_THAT(partial.output, Contains("cnn_mnist p=0.00 run 1") && Contains("pending") &&
                                   Contains("unavailable: mlp_cifar10 (1 cells): no dataset in " + root + "/cifar10") &&
                                   Contains("data_batch_1.bin"));
    CHECK(!fs::exists(out));  // nothing was written
    if (mpi_available_or_skip()) {
        const auto ranks = probenet::testing::run_command(
            mpirun_prefix() + kPaper + " " + base + "--pairs cnn_mnist --corrupt 0 --runs 1", dir.file("mpi_bad.log"));
        INFO(ranks.output);
        CHECK(ranks.code != 0);
        CHECK_THAT(ranks.output, Contains("mpirun -np 2: the grid has 1 cells that can run") &&
                                     Contains("start at most 1 ranks"));
        CHECK(!fs::exists(out));
    }
}

TEST_CASE("one process, two --cell shares and mpirun -np 2 make the same cells and aggregate", "[experiments][paper]") {
    TempDir dir;
    const std::string root = write_tiny_datasets(dir);
    const auto flags = [&](const std::string& out) { return kTinyGrid + " --data-root '" + root + "' --out '" + out + "'"; };

    const auto alone = paper(flags(dir.file("alone")), dir, "alone.log");
    INFO(alone.output);
    REQUIRE(alone.code == 0);
    CHECK_THAT(alone.output, Contains("[4/4]") && Contains("ETA") && Contains("aggregate: 4 finished cells"));
    const GridFiles reference = grid_files(dir.file("alone"));

    // Two job-array tasks at once, as a Slurm array would start them.
    const pid_t first = spawn_paper(flags(dir.file("shares")) + " --cell 0 --of 2", dir.file("share0.log"));
    const pid_t second = spawn_paper(flags(dir.file("shares")) + " --cell 1 --of 2", dir.file("share1.log"));
    int status0 = -1, status1 = -1;
    waitpid(first, &status0, 0);
    waitpid(second, &status1, 0);
    INFO(read_text(dir.file("share0.log")) << read_text(dir.file("share1.log")));
    REQUIRE((WIFEXITED(status0) && WEXITSTATUS(status0) == 0));
    REQUIRE((WIFEXITED(status1) && WEXITSTATUS(status1) == 0));
    CHECK_THAT(read_text(dir.file("share0.log")), Contains("[share 0 of 2]"));
    require_same_grid(reference, grid_files(dir.file("shares")));

    if (mpi_available_or_skip()) {
        const auto mpi = probenet::testing::run_command(mpirun_prefix() + kPaper + " " + flags(dir.file("mpi")),
                                                        dir.file("mpi.log"));
        INFO(mpi.output);
        REQUIRE(mpi.code == 0);
        CHECK_THAT(mpi.output, Contains("[rank 0 of 2]") && Contains("[rank 1 of 2]"));
        require_same_grid(reference, grid_files(dir.file("mpi")));
    }

    // Nothing left to do: a second run only re-renders; --aggregate gives the same files.
    const auto again = paper(flags(dir.file("alone")) + " --aggregate", dir, "again.log");
    CHECK(again.code == 0);
    require_same_grid(reference, grid_files(dir.file("alone")));
}

TEST_CASE("kill -9 at any moment loses at most the epoch in progress and never a whole aggregate file",
          "[experiments][paper]") {
    TempDir dir;
    const std::string root = write_tiny_datasets(dir), out = dir.file("out"), log = dir.file("grid.log");
    const std::string args = "--pairs cnn_mnist --corrupt 0.8,0 --runs 1 --train-size 2000 --max-epochs 6 --threads 1 "
                             "--device cpu --data-root '" + root + "' --out '" + out + "'";
    const fs::path cell = fs::path(out) / "cnn_mnist" / "p0.80" / "run1";

    // Killed in the middle of training, once at least two epochs are saved.
    pid_t pid = spawn_paper(args, log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (epochs_in(cell / "metrics.csv") < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // A second grid process given the same cell meanwhile skips it and writes nothing into its folder.
    const std::string log_before = read_text(cell / "cell.log");
    std::string only_this_cell = args;
    only_this_cell.replace(only_this_cell.find("--corrupt 0.8,0"), 15, "--corrupt 0.8");
    const auto second = paper(only_this_cell, dir, "second.log");
    INFO(second.output);
    CHECK(second.code == 0);
    CHECK_THAT(second.output, Contains("cnn_mnist p=0.80 run 1: skipped, another process is running it (pid " +
                                       std::to_string(pid) + ")"));
    CHECK(read_text(cell / "cell.log").rfind(log_before, 0) == 0);
    CHECK(read_text(cell / "cell.log").find("=== ./experiments/paper", 10) == std::string::npos);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    const int saved = epochs_in(cell / "metrics.csv");
    REQUIRE(saved >= 2);
    REQUIRE(saved < 6);

    // Then killed at spread-out moments of the rest (training, probing, the aggregate being written).
    for (int delay_ms : {900, 1700, 2600, 3400}) {
        pid = spawn_paper(args, log);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        require_whole_aggregate(out);
    }
    const auto finish = paper(args, dir, "finish.log");
    INFO(read_text(log) << finish.output << read_text(cell / "cell.log"));
    REQUIRE(finish.code == 0);
    // The first restart resumed after the epochs saved before the kill (or the one before, when the kill
    // came between metrics.csv and train_state.safetensors); every epoch 1..6 is there once.
    const std::string cell_log = read_text(cell / "cell.log");
    CHECK((cell_log.find("after epoch " + std::to_string(saved) + "\n") != std::string::npos ||
           cell_log.find("after epoch " + std::to_string(saved - 1) + "\n") != std::string::npos));
    CHECK(epochs_in(cell / "metrics.csv") == 6);
    CHECK(fs::exists(cell / "summary.json"));
    require_whole_aggregate(out);
    const std::string table = read_text(fs::path(out) / "paper" / "table1.csv");
    CHECK(std::count(table.begin(), table.end(), '\n') == 3);  // header + p = 0 and p = 0.8
}
