// TimedChoice (tensor/cpu/cpu_timed_choice.h): the faster of two variants by measured time. Fed
// times by hand: each variant warms up twice, then the faster one runs except every kExplore-th call,
// a change in the machine's state (the other variant becoming faster) flips the choice, a variant
// faster by less than the switching margin does not take over, a call where
// only variant 0 applies picks it and teaches nothing, and a forced variant runs every call.
#include <catch2/catch.hpp>

#include "tensor/cpu/cpu_timed_choice.h"

using probenet::cpu::TimedChoice;

namespace {

// Runs `calls` calls of `key`, each taking seconds[variant]; returns how many ran variant 1.
int run_calls(TimedChoice& choice, uint64_t key, int calls, double seconds0, double seconds1) {
    int ones = 0;
    for (int i = 0; i < calls; ++i) {
        const int v = choice.pick(key, true);
        ones += v;
        choice.learn(key, v, v == 1 ? seconds1 : seconds0);
    }
    return ones;
}

}  // namespace

TEST_CASE("timed choice: warms up both variants, then runs the faster, exploring the other", "[tensor][cpu]") {
    TimedChoice choice;
    const uint64_t key = 7;
    CHECK(choice.estimate(key, 0) < 0.0);
    // Warm-up: variant 0 twice, then variant 1 twice.
    CHECK(choice.pick(key, true) == 0);
    choice.learn(key, 0, 4.0);
    CHECK(choice.pick(key, true) == 0);
    choice.learn(key, 0, 2.0);
    CHECK(choice.estimate(key, 0) == 3.0);  // (4 + 2) / 2
    CHECK(choice.pick(key, true) == 1);
    choice.learn(key, 1, 1.0);
    CHECK(choice.pick(key, true) == 1);
    choice.learn(key, 1, 1.0);
    // Variant 1 is faster: it runs, but for one call in kExplore.
    const int calls = 4 * static_cast<int>(TimedChoice::kExplore);
    CHECK(run_calls(choice, key, calls, 3.0, 1.0) == calls - 4);
    // The machine changes: variant 1 now takes 10 s. Its estimate rises past variant 0's after one call
    // ((1 + 10) / 2), and from then on variant 0 runs but for the explorations, each of which replaces
    // variant 1's estimate.
    const int after = run_calls(choice, key, calls, 3.0, 10.0);
    CHECK(after <= 1 + 4);
    CHECK(choice.estimate(key, 1) == 10.0);
    // Variant 1 faster again, but by 7 %: inside the margin, variant 0 stays (but for the explorations).
    CHECK(run_calls(choice, key, calls, 3.0, 2.8) == 4);
    // By 20 %: it takes over at the next exploration.
    CHECK(run_calls(choice, key, calls, 3.0, 2.4) >= calls - TimedChoice::kExplore - 4);
    // Variant 0 back to as fast as variant 1: the default returns at its next exploration.
    CHECK(run_calls(choice, key, calls, 2.4, 2.4) <= TimedChoice::kExplore + 4);
    // Another key keeps its own estimates.
    CHECK(choice.pick(8, true) == 0);
    CHECK(choice.estimate(8, 1) < 0.0);
}

TEST_CASE("timed choice: a call with one variant, and a forced variant", "[tensor][cpu]") {
    TimedChoice choice;
    for (int i = 0; i < 10; ++i) CHECK(choice.pick(1, false) == 0);
    CHECK(run_calls(choice, 1, 2, 1.0, 1.0) == 0);  // the key's warm-up had not started
    choice.force(1);
    for (int i = 0; i < 5; ++i) {
        CHECK(choice.pick(2, true) == 1);
        choice.learn(2, 1, 1.0);  // forced calls teach nothing
    }
    CHECK(choice.runs(2, 1) == 5);
    CHECK(choice.estimate(2, 1) < 0.0);
    CHECK(choice.pick(2, false) == 0);  // where only variant 0 applies, even when 1 is forced
    choice.force(-1);
    CHECK(choice.pick(2, true) == 0);  // back to measuring: key 2's warm-up
    choice.learn(2, 1, -1.0);          // an invalid time teaches nothing
    CHECK(choice.estimate(2, 1) < 0.0);
}
