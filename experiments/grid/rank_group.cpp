#include "experiments/grid/rank_group.h"

namespace probenet::experiments {

namespace {

class SoloRankGroup final : public RankGroup {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void report_cell_finished() override {}
    void finish(const std::function<void()>&) override {}
};

}  // namespace

std::unique_ptr<RankGroup> solo_rank_group() { return std::make_unique<SoloRankGroup>(); }

}  // namespace probenet::experiments
