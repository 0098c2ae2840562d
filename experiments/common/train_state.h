// A resumable training state: one safetensors file (nn/safetensors.h), train_state.safetensors,
// written beside model.safetensors after every epoch:
//   tensors  "model.<dotted parameter name>"      the parameters
//            "optimizer.<param index>.<buffer>"   momentum buffers / Adam moments
//   metadata "epoch"                              epochs completed
//            "optimizer.<key>"                    the optimizer's scalar state (kind, step counts)
//            the run's identity (experiment, corrupt, seed, batch, lr, train size)
// Training visits the batches in file order, so resuming at epoch + 1 from this state makes exactly
// the updates that an uninterrupted run would have made. Loading refuses a state whose identity
// differs from the run being resumed, naming each difference.
#pragma once

#include <map>
#include <string>

#include "nn/module.h"
#include "optim/optimizer.h"

namespace probenet::experiments {

using RunIdentity = std::map<std::string, std::string>;

void save_train_state(const std::string& path, const nn::Module& model, const optim::Optimizer& optimizer, int epoch,
                      const RunIdentity& identity);
// Loads model parameters and optimizer state; returns the number of epochs completed.
int load_train_state(const std::string& path, nn::Module& model, optim::Optimizer& optimizer,
                     const RunIdentity& identity);

}  // namespace probenet::experiments
