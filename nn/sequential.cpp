#include "nn/sequential.h"

namespace probenet::nn {

Var Sequential::forward(const Var& x) {
    Var h = x;
    for (auto& child : children()) h = (*child)(h);
    return h;
}

}  // namespace probenet::nn
