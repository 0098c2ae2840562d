#include "experiments/common/protocol_optimizer.h"

#include "optim/adam.h"
#include "optim/sgd.h"

namespace probenet::experiments {

std::unique_ptr<optim::Optimizer> make_protocol_optimizer(const Protocol& protocol, double lr, nn::Module& model) {
    if (protocol.optimizer == OptimizerKind::SGD)
        return std::make_unique<optim::SGD>(model.parameters(),
                                            optim::SgdOptions{.lr = float(lr), .momentum = protocol.momentum, .update_in_backward = true});
    return std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = float(lr)});
}

}  // namespace probenet::experiments
