#include "experiments/common/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "autograd/functions.h"
#include "data/batches.h"
#include "data/label_corruption.h"
#include "experiments/common/evaluate.h"
#include "experiments/common/progress.h"
#include "experiments/common/training_health.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::experiments {

TrainResult train(nn::Module& model, optim::Optimizer& optimizer, const data::Dataset& train_set,
                  const data::Dataset& test_set, const TrainConfig& config,
                  const std::function<void(const EpochStats&)>& on_epoch) {
    TrainResult result;
    data::BatchOrder order(train_set.size(), config.batch, /*shuffle=*/false, /*seed=*/0);
    model.train();
    TrainingHealth health(train_set.num_classes);
    for (int epoch = config.first_epoch; epoch <= config.max_epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        order.start_epoch(epoch);
        ProgressBar bar("epoch " + std::to_string(epoch), order.num_batches());
        health.start_epoch();
        double loss_sum = 0;
        int64_t correct_corrupt = 0, correct_true = 0, seen = 0;
        for (int64_t b = 0; b < order.num_batches(); ++b) {
            const data::Batch batch = data::make_batch(train_set, order, b);
            const autograd::Var x(batch.images.to(config.device));
            const autograd::Var logits = model(x);
            autograd::Var loss = autograd::cross_entropy(logits, batch.train_labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();

            const std::vector<int32_t> pred = ops::argmax_rows(logits.value());
            correct_corrupt += data::count_equal(pred, batch.train_labels);
            correct_true += data::count_equal(pred, batch.true_labels);
            seen += static_cast<int64_t>(pred.size());
            const double l = loss.value().item();
            PROBENET_CHECK(std::isfinite(l), "training diverged: loss is ", l, " at epoch ", epoch, ", batch ", b,
                           "; lower --lr");
            loss_sum += l;
            health.add_batch(logits.value(), l);
            char status[64];
            std::snprintf(status, sizeof status, "loss %.4f acc %.4f", loss_sum / double(b + 1),
                          double(correct_corrupt) / double(seen));
            bar.update(b + 1, status);
        }
        bar.clear();
        // Before the epoch is reported or saved: a dead or exploded model is not worth a checkpoint.
        if (const auto problem = health.problem(epoch)) throw Error(*problem);
        EpochStats stats;
        stats.epoch = epoch;
        stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        stats.loss = loss_sum / double(order.num_batches());
        stats.running_acc_corrupt = double(correct_corrupt) / double(seen);
        stats.running_acc_true = double(correct_true) / double(seen);
        stats.test_acc = accuracy(predict(model, test_set, config.device), test_set.true_labels);
        result.epochs.push_back(stats);
        on_epoch(stats);
        if (meets_stop_rule(stats, config.target_acc)) {
            result.reached_target = true;
            break;
        }
    }
    return result;
}

}  // namespace probenet::experiments
