// The linear probe of the authors' baselines: Linear(d, K) on a layer's rows, mean cross-entropy,
// Adam (lr 1e-3), 20 epochs of batches of 128 in a seeded shuffle, trained with probenet's own
// autograd (nn::Linear, autograd::cross_entropy) and optimizer (optim::Adam) — one model per label set.
//
// Initialisation: nn::Linear's PyTorch default, from Rng(seed). Shuffle: epoch e visits the rows in
// the order of numpy's np.random.seed(seed + e); np.random.permutation(n) (data/batches.h), so a
// PyTorch replay can use the same batches. The rows are kept as given (float32, n·d·4 bytes: the
// probe run's one copy is borrowed for training only, so fit holds nothing afterwards but W and b).
// Predict: argmax of x Wᵀ + b, ties to the lowest class.
#include <algorithm>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "data/batches.h"
#include "nn/linear.h"
#include "optim/adam.h"
#include "probe/probe.h"
#include "tensor/error.h"
#include "tensor/ops.h"

namespace probenet::probe {

namespace {

class LinearProbe : public Probe {
public:
    explicit LinearProbe(const ProbeOptions& o) : epochs_(o.linear_epochs), batch_(o.linear_batch), lr_(o.linear_lr),
                                                   seed_(o.seed) {
        PROBENET_CHECK(epochs_ >= 1 && batch_ >= 1 && lr_ > 0.0, "linear probe: need epochs >= 1, batch >= 1 and "
                       "lr > 0, got ", epochs_, ", ", batch_, ", ", lr_);
    }

    bool needs_rows() const override { return true; }
    bool needs_grams() const override { return false; }
    int64_t row_bytes(int64_t) const override { return 0; }  // trains on the run's copy of the rows

    void fit(const TrainingData& data) override {
        PROBENET_CHECK(data.rows != nullptr, "linear probe (layer ", data.stats.layer(), "): needs the training rows");
        const int64_t n = data.num_rows, d = data.dim();
        const int32_t K = data.num_classes();
        models_.clear();
        for (int32_t s = 0; s < data.num_sets(); ++s) {
            if (const int32_t t = data.stats.same_as(s); t != s) {  // identical labels: the same model
                models_.push_back(models_[t]);
                continue;
            }
            Rng rng(seed_);
            auto model = std::make_shared<nn::Linear>(d, K, true, rng);
            optim::Adam adam(model->parameters(), optim::AdamOptions{.lr = static_cast<float>(lr_)});
            std::vector<float> x;
            std::vector<int32_t> y;
            for (int epoch = 0; epoch < epochs_; ++epoch) {
                const std::vector<int64_t> order = data::numpy_permutation(n, seed_ + static_cast<uint32_t>(epoch));
                for (int64_t b0 = 0; b0 < n; b0 += batch_) {
                    const int64_t m = std::min<int64_t>(batch_, n - b0);
                    x.resize(static_cast<size_t>(m * d));
                    y.resize(static_cast<size_t>(m));
                    for (int64_t i = 0; i < m; ++i) {
                        const int64_t r = order[static_cast<size_t>(b0 + i)];
                        std::copy_n(data.rows + r * d, d, x.data() + i * d);
                        y[i] = data.labels[s][r];
                    }
                    autograd::Var loss =
                        autograd::cross_entropy((*model)(autograd::Var(Tensor::from_vector({m, d}, x))), y);
                    adam.zero_grad();
                    loss.backward();
                    adam.step();
                }
            }
            models_.push_back(std::move(model));
        }
    }

    void predict(const float* rows, int64_t n, std::span<int32_t* const> predictions) const override {
        autograd::NoGradGuard no_grad;
        const int64_t block = 4096, d = models_.empty() ? 0 : models_[0]->in_features();
        for (int64_t b0 = 0; b0 < n; b0 += block) {
            const int64_t m = std::min(block, n - b0);
            const Tensor x = Tensor::from_vector({m, d}, std::vector<float>(rows + b0 * d, rows + (b0 + m) * d));
            for (size_t s = 0; s < models_.size(); ++s) {
                const auto same = std::find(models_.begin(), models_.begin() + s, models_[s]);
                if (same != models_.begin() + s) {
                    std::copy_n(predictions[same - models_.begin()] + b0, m, predictions[s] + b0);
                    continue;
                }
                const std::vector<int32_t> pred = ops::argmax_rows((*models_[s])(autograd::Var(x)).value());
                std::copy(pred.begin(), pred.end(), predictions[s] + b0);
            }
        }
    }

    int64_t bytes_held() const override {
        int64_t bytes = 0;
        for (size_t s = 0; s < models_.size(); ++s)
            if (std::find(models_.begin(), models_.begin() + s, models_[s]) == models_.begin() + s)
                bytes += (models_[s]->in_features() + 1) * models_[s]->out_features() * 4;
        return bytes;
    }

private:
    int epochs_, batch_;
    double lr_;
    uint32_t seed_;
    std::vector<std::shared_ptr<nn::Linear>> models_;  // one per label set (shared by identical ones)
};

}  // namespace

std::unique_ptr<Probe> make_linear_probe(const ProbeOptions& options) { return std::make_unique<LinearProbe>(options); }

}  // namespace probenet::probe
