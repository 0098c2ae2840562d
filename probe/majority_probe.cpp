// The chance baseline: every row gets the most frequent class of the label set it was fit on (ties to
// the lowest class), from the streamed class counts alone. A probe's accuracy means something only
// above this line — with corrupted labels the most frequent class is still ~1/K of the test set.
#include "probe/probe.h"

namespace probenet::probe {

namespace {

class MajorityProbe : public Probe {
public:
    bool needs_grams() const override { return false; }  // class counts only
    void fit(const TrainingData& data) override {
        majority_.assign(static_cast<size_t>(data.num_sets()), 0);
        for (int32_t s = 0; s < data.num_sets(); ++s)
            for (int32_t c = 1; c < data.num_classes(); ++c)
                if (data.stats.count(s, c) > data.stats.count(s, majority_[s])) majority_[s] = c;
    }

    void predict(const float*, int64_t n, std::span<int32_t* const> predictions) const override {
        for (size_t s = 0; s < majority_.size(); ++s) std::fill(predictions[s], predictions[s] + n, majority_[s]);
    }

    int64_t bytes_held() const override { return static_cast<int64_t>(majority_.size() * sizeof(int32_t)); }

private:
    std::vector<int32_t> majority_;  // per label set
};

}  // namespace

std::unique_ptr<Probe> make_majority_probe(const ProbeOptions&) { return std::make_unique<MajorityProbe>(); }

}  // namespace probenet::probe
