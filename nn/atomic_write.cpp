#include "nn/atomic_write.h"

#include <filesystem>
#include <fstream>

#include "tensor/error.h"

namespace probenet::nn {

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write, const std::string& who) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        PROBENET_CHECK(out, who, ": cannot open '", tmp,
                       "' for writing: does the output folder exist and is it writable?");
        try {
            write(out);
        } catch (...) {
            out.close();
            std::filesystem::remove(tmp);
            throw;
        }
        out.flush();
        if (!out.good()) {
            out.close();
            std::filesystem::remove(tmp);
            throw Error(who + ": writing '" + tmp + "' failed (disk full?)");
        }
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace probenet::nn
