#include "experiments/common/metrics_csv.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace probenet::experiments {

namespace {
const char* kHeader = "epoch,loss,train_acc_corrupt,train_acc_true,test_acc,seconds";
}

std::string format_metrics_csv(const std::vector<EpochStats>& epochs) {
    std::ostringstream out;
    out << kHeader << '\n';
    char line[160];
    for (const EpochStats& e : epochs) {
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.6f,%.3f\n", e.epoch, e.loss, e.running_acc_corrupt,
                      e.running_acc_true, e.test_acc, e.seconds);
        out << line;
    }
    return out.str();
}

std::vector<EpochStats> read_metrics_csv(const std::string& path) {
    std::ifstream in(path);
    PROBENET_CHECK(in, "cannot open '", path, "'");
    std::string line;
    std::getline(in, line);
    PROBENET_CHECK(line == kHeader, "'", path, "' does not start with the header '", kHeader, "'");
    std::vector<EpochStats> epochs;
    for (int number = 2; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        EpochStats e;
        char tail = 0;
        const int fields = std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf%c", &e.epoch, &e.loss,
                                       &e.running_acc_corrupt, &e.running_acc_true, &e.test_acc, &e.seconds, &tail);
        PROBENET_CHECK(fields == 6, "'", path, "' line ", number, " is not 6 numbers: '", line, "'");
        epochs.push_back(e);
    }
    return epochs;
}

}  // namespace probenet::experiments
