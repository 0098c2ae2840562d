// Writing result files so that nothing half-written is ever left under the real name: the
// content goes to "<path>.tmp" first and is renamed over <path> once complete (nn/atomic_write.h).
#pragma once

#include <string>

namespace probenet::experiments {

void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace probenet::experiments
