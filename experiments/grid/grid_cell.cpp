#include "experiments/grid/grid_cell.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

#include "data/dataset_registry.h"
#include "experiments/protocols/protocol_registry.h"

namespace fs = std::filesystem;

namespace probenet::experiments {

std::string GridCell::id() const { return pair + " p=" + corruption_text(corrupt) + " run " + std::to_string(run); }

std::vector<GridCell> grid_cells(const GridOptions& o) {
    std::vector<GridCell> cells;
    for (const std::string& name : protocol_names()) {
        bool selected = false;
        for (const std::string& p : o.pairs) selected = selected || p == name;
        if (!selected) continue;
        const data::DatasetInfo& dataset = data::dataset_info(protocol_named(name).dataset);
        const std::string data_dir = (fs::path(o.data_root) / fs::path(dataset.default_dir).filename()).string();
        std::error_code ec;
        std::string unavailable;
        if (!fs::is_directory(data_dir, ec) || fs::is_empty(data_dir, ec))
            unavailable = "no dataset in " + data_dir + " (" + dataset.name + " expects there: " + dataset.layout +
                          "; where it comes from: " + dataset.source + ")";
        for (double p : o.corruptions)
            for (int run : o.runs) {
                const std::string folder =
                    (fs::path(o.out) / name / ("p" + corruption_text(p)) / ("run" + std::to_string(run))).string();
                cells.push_back({name, p, run, folder, data_dir, unavailable});
            }
    }
    return cells;
}

namespace {

// The pid in `lock` when another process holds it; "" when it is free or absent.
std::string holder_of(const std::string& lock) {
    const int fd = open(lock.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    std::string holder;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        char buf[32] = {};
        const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    }
    close(fd);  // drops the shared lock taken just to test
    return holder;
}

}  // namespace

std::string cell_lock_holder(const GridCell& cell) {
    const std::string grid = holder_of(cell.folder + "/grid.lock");  // another grid process
    return grid.empty() ? holder_of(cell.folder + "/run.lock") : grid;  // or the pair's own main
}

CellState cell_state(const GridCell& cell) {
    if (fs::exists(fs::path(cell.folder) / "summary.json")) return CellState::Done;
    if (!cell.unavailable.empty()) return CellState::Unavailable;
    if (!cell_lock_holder(cell).empty()) return CellState::Running;
    if (fs::exists(fs::path(cell.folder) / "train_state.safetensors")) return CellState::Resumable;
    return CellState::Pending;
}

const char* state_name(CellState state) {
    switch (state) {
        case CellState::Done: return "done";
        case CellState::Running: return "running elsewhere";
        case CellState::Resumable: return "resumable";
        case CellState::Pending: return "pending";
        case CellState::Unavailable: return "unavailable";
    }
    return "?";
}

}  // namespace probenet::experiments
