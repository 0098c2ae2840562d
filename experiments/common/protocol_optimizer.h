// The optimizer a protocol trains with (SGD with the protocol's momentum, or Adam) at learning rate
// lr over all of the model's parameters, freshly initialised (no momentum / moments yet).
#pragma once

#include <memory>

#include "experiments/common/protocol.h"
#include "nn/module.h"
#include "optim/optimizer.h"

namespace probenet::experiments {

std::unique_ptr<optim::Optimizer> make_protocol_optimizer(const Protocol& protocol, double lr, nn::Module& model);

}  // namespace probenet::experiments
