#include "experiments/common/atomic_file.h"

#include <filesystem>
#include <fstream>

#include "tensor/error.h"

namespace probenet::experiments {

void write_file_atomically(const std::string& path, const std::string& content) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        PROBENET_CHECK(out, "cannot open '", tmp, "' for writing: does the output folder exist and is it writable?");
        out << content;
        out.flush();
        PROBENET_CHECK(out.good(), "writing '", tmp, "' failed (disk full?)");
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace probenet::experiments
