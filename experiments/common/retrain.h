// --retrain: the paper's §3.3 on a memorized model — relabel the training set with the MASC
// predictions of the model's best layer and fine-tune the model on those labels.
//
//   1. split the clean test set 80/20 (experiments/common/test_split.h: numpy-legacy permutation of
//      seed 2345, first 20 % = the selection part);
//   2. fit MASC (the first --variance threshold, 0.99 by default) on the protocol's layers (or
//      --layers) under the corrupted and under the true training labels; per label set, the best
//      layer is the one with the highest MASC accuracy on the 20 % part (first in layer order wins ties);
//   3. relabel every training row with the best layer's MASC prediction (per label set);
//   4. per label set, from the memorized weights: a fresh optimizer of the protocol's kind with
//      --lr and --batch, file order, at most --retrain-epochs (30) epochs; after each epoch the
//      20 % part's accuracy drives early stopping with --patience (3; 0 = off, experiments/common/
//      early_stopping.h); the best epoch's weights are kept (retrain_<set>.safetensors);
//   5. writes retrain_<set>.csv (epoch 0 = the memorized model; then every epoch: running train
//      accuracy on the new labels, loss, test-80 and test-20 accuracy), retrain.svg (the curves), and a
//      "retrain" object in summary.json (created, or added to the probe's): per set the best layer,
//      each layer's 20 % accuracy, the memorized and retrained test-80 accuracy, the fixed and broken
//      shares for p > 0 (experiments/common/relabel_stats.h) and the share of correct labels in the
//      corrupted vs the relabeled training set. Prints one line per set:
//        "retrain (corrupted): test-80: 30.6 % → 9x.x %, fixed 8x % of wrong labels, broke y %".
// Resumable: with --resume, a label set whose retrain_<set>_state.safetensors exists continues after
// its last finished epoch (the early-stopping state is replayed from retrain_<set>.csv), and a set
// that had finished is only reported. The memorized weights are never overwritten (model.safetensors
// stays the memorized model; the memorized copy used between sets is retrain_memorized.safetensors).
#pragma once

#include "data/dataset.h"
#include "experiments/common/options.h"
#include "experiments/common/protocol.h"
#include "nn/module.h"
#include "probe/probe_run.h"

namespace probenet::experiments {

// `model` holds the memorized weights; `probe` gives the layers, MASC thresholds, device and batch.
// Returns the process exit code (0); throws probenet::Error on bad input.
int run_retraining(const Protocol& protocol, const Options& o, nn::Module& model, const data::TrainTest& data,
                   const probe::ProbeConfig& probe);

}  // namespace probenet::experiments
