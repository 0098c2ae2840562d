#include "experiments/grid/paper_aggregate.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "experiments/common/atomic_file.h"
#include "experiments/grid/cell_result.h"
#include "experiments/grid/figure2.h"
#include "experiments/grid/table1.h"
#include "experiments/protocols/protocol_registry.h"
#include "tensor/error.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

namespace {

// Holds an exclusive flock on `path` (blocking) for its lifetime.
class FileLock {
public:
    explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
        PROBENET_CHECK(fd_ >= 0, "cannot open the aggregate's lock ", path);
        while (flock(fd_, LOCK_EX) != 0)
            PROBENET_CHECK(errno == EINTR, "cannot lock ", path);
    }
    ~FileLock() { close(fd_); }
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_;
};

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::string dirs = path;
    size_t start = 0;
    while (start <= dirs.size()) {
        const size_t end = std::min(dirs.find(':', start), dirs.size());
        const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
        if (access(candidate.c_str(), X_OK) == 0) return true;
        start = end + 1;
    }
    return false;
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// svg → png through a temporary file and a rename, like every other aggregate file.
bool convert_to_png(const std::string& svg, const std::string& png) {
    const std::string tmp = png + ".tmp";
    const std::string command = "rsvg-convert --background-color=white -o " + quoted(tmp) + " " + quoted(svg) + " 2>/dev/null";
    if (std::system(command.c_str()) != 0) {
        std::error_code ec;
        fs::remove(tmp, ec);
        return false;
    }
    std::error_code ec;
    fs::rename(tmp, png, ec);
    return !ec;
}

}  // namespace

AggregateResult write_paper_aggregate(const std::string& out) {
    AggregateResult result;
    const fs::path dir = fs::path(out) / "paper";
    std::error_code ec;
    fs::create_directories(dir, ec);
    PROBENET_CHECK(!ec, "cannot create ", dir.string(), " (", ec.message(), ")");
    const FileLock lock((dir / "aggregate.lock").string());
    const std::vector<CellResult> cells = read_cell_results(out, result.notes);
    result.cells = static_cast<int>(cells.size());
    const std::vector<Table1Row> rows = table1_rows(cells);
    write_file_atomically((dir / "table1.csv").string(), table1_csv(rows));
    write_file_atomically((dir / "table1.md").string(), table1_markdown(rows));
    result.written = {(dir / "table1.csv").string(), (dir / "table1.md").string()};
    const bool have_converter = on_path("rsvg-convert");
    if (!have_converter)
        result.notes.push_back("rsvg-convert not found: the figures are SVG only (install Debian's librsvg2-bin, "
                               "e.g. `make deps`, for PNG copies)");
    for (const std::string& pair : protocol_names()) {
        const std::string svg = figure2_svg(pair, cells);
        if (svg.empty()) continue;
        const std::string svg_path = (dir / ("figure2_" + pair + ".svg")).string();
        write_file_atomically(svg_path, svg);
        result.written.push_back(svg_path);
        if (!have_converter) continue;
        const std::string png_path = (dir / ("figure2_" + pair + ".png")).string();
        if (convert_to_png(svg_path, png_path)) result.written.push_back(png_path);
        else result.notes.push_back("rsvg-convert failed on " + svg_path + "; no PNG for it");
    }
    return result;
}

}  // namespace probenet::experiments
