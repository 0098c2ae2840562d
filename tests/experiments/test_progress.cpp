// ProgressBar (experiments/common/progress.h) into a file: plain lines with done/total, the unit, the
// rate and the ETA, only once the interval has passed (none for a loop shorter than it), nothing from
// clear(); no terminal control characters in a file.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <thread>

#include "experiments/common/progress.h"

using probenet::experiments::ProgressBar;

namespace {

std::string contents(std::FILE* f) {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    for (int c; (c = std::fgetc(f)) != EOF;) s += static_cast<char>(c);
    return s;
}

}  // namespace

TEST_CASE("ProgressBar into a file: sparse plain lines with rate and ETA", "[experiments][progress]") {
    std::FILE* every_time = std::tmpfile();
    REQUIRE(every_time != nullptr);
    {
        ProgressBar bar("probe pass 2 (train)", 10, "rows", every_time, std::chrono::milliseconds(0));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        bar.update(3);
        bar.update(10, "acc 0.5");
        bar.clear();
    }
    const std::string s = contents(every_time);
    CHECK(s.find("probe pass 2 (train): 3/10 rows, ") != std::string::npos);
    CHECK(s.find(" rows/s, ETA ") != std::string::npos);
    CHECK(s.find("10/10 rows") != std::string::npos);
    CHECK(s.find("acc 0.5") != std::string::npos);
    CHECK(s.find('\r') == std::string::npos);
    CHECK(s.find('\033') == std::string::npos);
    std::fclose(every_time);

    std::FILE* sparse = std::tmpfile();
    REQUIRE(sparse != nullptr);
    {
        ProgressBar bar("epoch 1", 100, "steps", sparse);  // the default 30 s: a short loop prints nothing
        for (int i = 1; i <= 100; ++i) bar.update(i);
        bar.clear();
    }
    CHECK(contents(sparse).empty());
    std::fclose(sparse);
}
