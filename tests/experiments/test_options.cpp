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
    Protocol protocol;
    protocol.name = "test_experiment";
    protocol.dataset = "mnist";
    protocol.lr = 2e-4f;
    protocol.batch = 128;
    protocol.default_corrupt = 0.4;
    return protocol;
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

TEST_CASE("parse_options: --probes, --variance lists, --probe-corrupt and --qda-reg", "[experiments][probe]") {
    const Options o = parse({"--probes", "masc, knn,lda", "--variance", "0.25,0.99,1", "--probe-corrupt", "0.8",
                             "--qda-reg", "0.1"});
    CHECK(o.probe_names() == std::vector<std::string>{"masc", "knn", "lda"});
    CHECK(o.thresholds().size() == 3);
    CHECK(o.probe_corrupt == 0.8);
    CHECK(o.qda_reg == 0.1);
    CHECK(parse({}).probe_names() == std::vector<std::string>{"masc"});
    CHECK(parse({"--probe-corrupt", "0"}).probe_corrupt == 0.0);
    CHECK(parse({"--probe-every", "5"}).probe_every == 5);
    CHECK(parse({}).masc_precision == "float32");
    CHECK(parse({"--masc-precision", "float64"}).masc_precision == "float64");
}

TEST_CASE("parse_options: bad probe settings are refused before any data is read", "[experiments][probe][errors]") {
    CHECK_THROWS_WITH(parse({"--probes", "masc,svm"}),
                      Catch::Contains("svm") && Catch::Contains("masc, ncm, knn, lda, qda, linear"));
    CHECK_THROWS_WITH(parse({"--variance", "0.25,1.5,0.99"}),
                      Catch::Contains("--variance") && Catch::Contains("entry 2") && Catch::Contains("1.5"));
    CHECK_THROWS_WITH(parse({"--variance", "0.5,,0.9"}), Catch::Contains("entry 2"));
    CHECK_THROWS_WITH(parse({"--probe-corrupt", "1.5"}), Catch::Contains("--probe-corrupt"));
    CHECK_THROWS_WITH(parse({"--probe-corrupt", "-0.1"}), Catch::Contains("--probe-corrupt"));
    CHECK_THROWS_WITH(parse({"--qda-reg", "2"}), Catch::Contains("--qda-reg"));
    CHECK_THROWS_WITH(parse({"--masc-precision", "float16"}), Catch::Contains("--masc-precision"));
    CHECK_THROWS_WITH(parse({"--probe-every", "-1"}), Catch::Contains("--probe-every"));
}
