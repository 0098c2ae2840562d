// ThreadShares (tensor/cpu/cpu_thread_shares.h): splits cover the range in order, on the grain, from
// equal shares for a new key; learning moves the shares halfway toward the measured speeds, keeps the
// floor, and ignores a thread with no items or no time.
#include <catch2/catch.hpp>

#include <cmath>

#include "tensor/cpu/cpu_thread_shares.h"

using namespace probenet::cpu;

TEST_CASE("thread shares: a new key splits evenly on the grain", "[tensor][threads]") {
    ThreadShares table;
    CHECK(table.split(1, 2, 2048, 16) == std::vector<int64_t>{0, 1024, 2048});
    CHECK(table.split(1, 1, 2048, 16) == std::vector<int64_t>{0, 2048});
    // 100 items in grains of 16 (7 grains, the last one short), 3 threads: 2, 2 and 3 grains.
    CHECK(table.split(2, 3, 100, 16) == std::vector<int64_t>{0, 32, 80, 100});
    CHECK(table.split(3, 4, 16, 16) == std::vector<int64_t>{0, 0, 16, 16, 16});
}

TEST_CASE("thread shares: learning moves the split toward the faster thread", "[tensor][threads]") {
    ThreadShares table;
    std::vector<int64_t> b = table.split(7, 2, 2048, 16);
    // Thread 1 took three times as long for the same 1024 items: speeds 3 : 1, so its share goes
    // halfway from 1/2 to 1/4.
    table.learn(7, b, {1.0, 3.0});
    std::vector<double> s = table.shares(7, 2);
    CHECK(s[0] == Approx(0.625));
    CHECK(s[1] == Approx(0.375));
    b = table.split(7, 2, 2048, 16);
    CHECK(b == std::vector<int64_t>{0, 1280, 2048});
    // Other keys and thread counts are untouched.
    CHECK(table.split(7, 3, 48, 16) == std::vector<int64_t>{0, 16, 32, 48});
    CHECK(table.split(8, 2, 2048, 16) == std::vector<int64_t>{0, 1024, 2048});
    // Many calls where thread 1 makes (almost) no progress: its share stops at the floor 1 / (4·2)
    // before each renormalisation. With u = (s0 + 1) / 2 the fixed point s0 = u / (u + 1/8) = 2u − 1
    // gives 2u² − 1.75u − 1/8 = 0, so s1 = 1 − s0 = 2 − 2u ≈ 0.1172.
    for (int i = 0; i < 60; ++i) table.learn(7, table.split(7, 2, 2048, 16), {1.0, 1e9});
    s = table.shares(7, 2);
    const double u = (1.75 + std::sqrt(1.75 * 1.75 + 1.0)) / 4.0;
    CHECK(s[1] == Approx(2.0 - 2.0 * u).margin(1e-6));
    CHECK(s[0] + s[1] == Approx(1.0));
    b = table.split(7, 2, 2048, 16);
    CHECK(b[1] % 16 == 0);
    CHECK(b[2] - b[1] >= 16);
}

TEST_CASE("thread shares: a thread without items or time teaches nothing", "[tensor][threads]") {
    ThreadShares table;
    table.learn(5, {0, 0, 2048}, {1.0, 1.0});
    table.learn(5, {0, 1024, 2048}, {0.0, 1.0});
    table.learn(5, {0, 1024, 2048}, {std::nan(""), 1.0});
    const std::vector<double> s = table.shares(5, 2);
    CHECK(s[0] == 0.5);
    CHECK(s[1] == 0.5);
}

TEST_CASE("split run: the planned ranges, an even fallback for another team size, learning on exit",
          "[tensor][threads]") {
    ThreadShares& table = thread_shares();
    const uint64_t key = 0x5eed5eedu;
    for (int i = 0; i < 2; ++i) table.learn(key, table.split(key, 2, 2048, 16), {3.0, 1.0});
    const std::vector<double> before = table.shares(key, 2);
    const std::vector<int64_t> planned = table.split(key, 2, 2048, 16);
    {
        // A region that got one thread instead of two: the whole range, and nothing learned.
        SplitRun run(key, 2, 2048, 16);
        CHECK(run.begin(1, 0) == std::pair<int64_t, int64_t>{0, 2048});
        run.end(0);
    }
    CHECK(table.shares(key, 2) == before);
    {
        // The planned team: the table's ranges; both threads report, so the shares move.
        SplitRun run(key, 2, 2048, 16);
        CHECK(run.begin(2, 0) == std::pair<int64_t, int64_t>{0, planned[1]});
        CHECK(run.begin(2, 1) == std::pair<int64_t, int64_t>{planned[1], 2048});
        volatile double sink = 0;
        for (int i = 0; i < 100000; ++i) sink = sink + i;
        run.end(1);
        run.end(0);
    }
    CHECK(table.shares(key, 2) != before);
}
