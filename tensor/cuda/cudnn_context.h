// cuDNN for the CUDA backend: the library's version as loaded at run time, checked against the
// headers this build was compiled with (cuDNN 9 keeps its ABI within a major version, so a
// different major version is an error, an older or newer minor one is reported and accepted).
#pragma once

#include <string>

namespace probenet::cuda_detail {

// "cuDNN 9.19.0 (built against 9.19.0)"; throws probenet::Error when the major versions differ.
std::string cudnn_version();

}  // namespace probenet::cuda_detail
