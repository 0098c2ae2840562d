// Writing a file so that nothing half-written is ever left under its real name: `write` fills
// "<path>.tmp", which is renamed over <path> only once complete and flushed. A failure to open or
// to write (or an exception from `write`) removes the temporary and throws probenet::Error naming `who`, the file and the likely
// cause. Checkpoints (nn/safetensors.h) and the experiments' result files both write this way.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace probenet::nn {

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write, const std::string& who);

}  // namespace probenet::nn
