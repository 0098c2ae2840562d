#include "experiments/common/relabel_stats.h"

#include <limits>

#include "tensor/error.h"

namespace probenet::experiments {

namespace {
double share(int64_t part, int64_t whole) {
    return whole > 0 ? double(part) / double(whole) : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

double RelabelStats::fixed_share() const { return share(fixed, wrong); }
double RelabelStats::broken_share() const { return share(broken, correct); }
double RelabelStats::corrupted_correct_share() const { return share(correct, n); }
double RelabelStats::relabeled_correct_share() const { return share(relabeled_correct, n); }

RelabelStats relabel_stats(const std::vector<int32_t>& true_labels, const std::vector<int32_t>& corrupted,
                           const std::vector<int32_t>& relabel) {
    PROBENET_CHECK(true_labels.size() == corrupted.size() && corrupted.size() == relabel.size(),
                   "relabel counts: ", true_labels.size(), " true, ", corrupted.size(), " corrupted and ",
                   relabel.size(), " new labels; they must be as many");
    RelabelStats s;
    s.n = static_cast<int64_t>(true_labels.size());
    for (size_t i = 0; i < true_labels.size(); ++i) {
        const bool was_correct = true_labels[i] == corrupted[i];
        s.wrong += !was_correct;
        s.correct += was_correct;
        s.fixed += !was_correct && relabel[i] == true_labels[i];
        s.broken += was_correct && relabel[i] != corrupted[i];
        s.relabeled_correct += relabel[i] == true_labels[i];
    }
    return s;
}

}  // namespace probenet::experiments
