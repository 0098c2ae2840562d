// parse_options: the protocol's defaults, --init, and the flag combinations that are refused with
// an error naming both flags.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "experiments/common/options.h"
#include "tensor/error.h"

using namespace probenet;
using namespace probenet::experiments;

namespace {
Protocol test_protocol() {
    Protocol p;
    p.name = "test_experiment";
    p.dataset = "mnist";
    p.lr = 2e-4f;
    p.batch = 128;
    p.default_corrupt = 0.4;
    return p;
}

Options parse(std::vector<std::string> args) {
    args.insert(args.begin(), "test_experiment");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return parse_options(test_protocol(), static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("parse_options: defaults come from the protocol", "[experiments]") {
    const Options o = parse({});
    CHECK(o.corrupt == 0.4);
    CHECK(o.batch == 128);
    CHECK(o.lr == Approx(2e-4));
    CHECK(o.seed == 1);  // the run index
    CHECK(o.init.empty());
    CHECK(o.out_dir == "results/test_experiment/p0.40/run1");
}

TEST_CASE("parse_options: --init names the starting weights; it cannot go with --checkpoint", "[experiments]") {
    CHECK(parse({"--init", "torch_init.safetensors"}).init == "torch_init.safetensors");
    CHECK_THROWS_WITH(parse({"--init", "a.safetensors", "--checkpoint", "b.safetensors"}),
                      Catch::Contains("--init") && Catch::Contains("--checkpoint"));
}

TEST_CASE("parse_options: out-of-range values are refused naming the flag", "[experiments]") {
    CHECK_THROWS_WITH(parse({"--corrupt", "1.5"}), Catch::Contains("--corrupt"));
    CHECK_THROWS_WITH(parse({"--target-acc", "99.9"}), Catch::Contains("write 0.999"));
    CHECK_THROWS_WITH(parse({"--resume", "--checkpoint", "m.safetensors"}), Catch::Contains("--resume"));
}
