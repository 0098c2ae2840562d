#include "experiments/common/atomic_file.h"

#include "nn/atomic_write.h"

namespace probenet::experiments {

void write_file_atomically(const std::string& path, const std::string& content) {
    nn::write_atomically(path, [&](std::ostream& out) { out << content; }, "write_file_atomically");
}

}  // namespace probenet::experiments
