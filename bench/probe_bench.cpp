// probe_bench: the probe's numeric core on the paper's MLP layer sizes, fit + score, phase by phase.
//
// Synthetic ReLU-like features for layers of width 784, 128, 512, 2048, 2048 (names input, fc1 … fc4),
// N = 60000 training and 10000 test rows, K = 10 classes, two label sets (corrupted at degree p with
// the paper's numpy-exact rule, and true). For class c a row is
//   x = max(0, m + o_c + Σ_{j<r} z_j s_j D_c[j] + σ·u),  z ~ N(0,1), u ~ U(−1,1), s_j = (1+j)^−0.6,
// with m a shared mean, o_c a class offset and D_c = 0.9·D_shared + 0.2·D_own,c a random (r, d)
// dictionary, r = min(d/4, 128): a decaying spectrum on top of a dominant mean, like trained ReLU
// layers, with overlapping class subspaces and units that are dead for some classes. Rows are
// generated batch by batch from a seed, so the scoring pass sees the training rows again without
// storing them (memory independent of N); the time spent generating is reported apart and excluded
// from the probe's times.
//
// Per layer: accumulate (one pass, both label sets) → fit (eigendecomposition, both sets) → score the
// training rows (both sets vs both label arrays) → score the test rows. Prints seconds per phase.
//
//   probe_bench [--train N] [--test N] [--batch B] [--p P] [--threshold T] [--layers 784,128,...]
//               [--chunk ROWS] [--share 0|1]     ClassGram options (rows per dsyrk, shared work)
//   probe_bench --mnist DIR      MNIST input layer, true labels: the exactness check of docs/protocol.md, timed
//   probe_bench --probes masc,ncm,knn,lda,qda,linear [--mnist DIR] [--train N] [--test N] [--sklearn 1]
//               [--wide 0]       each probe's fit and test scoring on MNIST's input and a 2048-wide layer,
//                                and (--sklearn 1) scikit-learn's on the same features, in one run;
//                                --wide 0 leaves out the 2048-wide layer (scikit-learn's MASC there takes minutes)
//
// Like the experiments it re-executes itself with OPENBLAS_CORETYPE set when OpenBLAS 0.3.21 falls back
// to its SSE3 'Prescott' kernels on a newer Xeon (3–10× slower); the start-up line names the kernels.
//
// What it printed on the project's 2-vCPU Xeon (2 threads, p = 0.8, 2026-11-28): k_total
// corrupted/true 3142/2136, 920/767, 2556/1897, 2410/1329, 2423/1337 for input … fc4; 60.5 s wall for
// all five layers, 80 % of it in the two 2048-wide layers (each: accumulate 5.2–5.6 s, fit 10.0 s —
// 20 tridiagonalisations of 2048×2048, memory-bound dsymv — score 8.6–8.9 s). These synthetic
// layers keep k ≈ 240 of 2048 per class; the real memorized MLP at p = 0.8 keeps ≈ 1650, and its
// probe (experiments/mlp_mnist --checkpoint) takes 97 s, most of it scoring. --mnist: k
// 148,45,178,160,147,157,129,124,160,117, test accuracy 0.8234, accumulate + fit + score test ≈ 1.2 s.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <cblas.h>

#include "bench/synthetic_features.h"
#include "data/mnist_format.h"
#include "data/label_corruption.h"
#include "probe/class_gram.h"
#include "probe/layer_report.h"
#include "probe/masc.h"
#include "probe/pca.h"
#include "probe/probe_registry.h"
#include "tensor/error.h"
#include "tensor/random.h"
#include "tensor/runtime.h"

using namespace probenet;
using namespace probenet::probe;
using probenet::bench::FeatureGenerator;

namespace {

// Wall and process-CPU seconds of a phase: on a shared machine the CPU time shows what the phase
// costs when the wall clock includes waiting for a core.
struct Phase {
    double wall = 0, cpu = 0;
};
double cpu_now() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
class Stopwatch {
public:
    Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(cpu_now()) {}
    void add_to(Phase& p) const {
        p.wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count();
        p.cpu += cpu_now() - cpu_;
    }

private:
    std::chrono::steady_clock::time_point wall_;
    double cpu_;
};

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Args {
    int64_t train = 60000, test = 10000, batch = 1000;
    std::string probes;   // --probes: compare the probe API's probes (and scikit-learn with --sklearn 1)
    bool sklearn = false;
    bool wide = true;     // --wide 0: --probes without the synthetic 2048-wide layer (MNIST's input only)
    double p = 0.8;
    std::string threshold = "0.99";
    std::vector<int64_t> layers{784, 128, 512, 2048, 2048};
    std::string mnist;
    ClassGram::Options gram;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        PROBENET_CHECK(i + 1 < argc, "probe_bench: ", flag, " needs a value");
        const std::string v = argv[++i];
        if (flag == "--train") a.train = std::stoll(v);
        else if (flag == "--test") a.test = std::stoll(v);
        else if (flag == "--batch") a.batch = std::stoll(v);
        else if (flag == "--p") a.p = std::stod(v);
        else if (flag == "--threshold") a.threshold = v;
        else if (flag == "--mnist") a.mnist = v;
        else if (flag == "--probes") a.probes = v;
        else if (flag == "--sklearn") a.sklearn = v != "0";
        else if (flag == "--wide") a.wide = v != "0";
        else if (flag == "--chunk") a.gram.chunk_rows = std::stoll(v);
        else if (flag == "--share") a.gram.share_agreeing = v != "0";
        else if (flag == "--layers") {
            a.layers.clear();
            for (size_t s = 0; s < v.size();) {
                const size_t e = std::min(v.find(',', s), v.size());
                a.layers.push_back(std::stoll(v.substr(s, e - s)));
                s = e + 1;
            }
        } else {
            PROBENET_CHECK(false, "probe_bench: unknown flag ", flag, " (see the header of bench/probe_bench.cpp)");
        }
    }
    return a;
}

std::string join(const std::vector<int64_t>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += std::to_string(v[i]);
    }
    return s;
}

int run_synthetic(const Args& a) {
    const int32_t K = 10;
    const Threshold threshold = parse_threshold(a.threshold);
    Rng rng(7);
    std::vector<int32_t> train_true(static_cast<size_t>(a.train)), test_true(static_cast<size_t>(a.test));
    for (int32_t& y : train_true) y = static_cast<int32_t>(rng.randint(K));
    for (int32_t& y : test_true) y = static_cast<int32_t>(rng.randint(K));
    const std::vector<int32_t> train_corrupt = data::corrupt_labels(train_true, a.p, K);
    std::printf("N train %lld, test %lld, batch %lld, K %d, p %.2f (%.2f%% of labels agree), threshold %s, "
                "chunk rows %s, sharing %s\n",
                static_cast<long long>(a.train), static_cast<long long>(a.test), static_cast<long long>(a.batch), K,
                a.p, 100.0 * static_cast<double>(data::count_equal(train_true, train_corrupt)) / a.train,
                to_string(threshold).c_str(),
                a.gram.chunk_rows == 0 ? "auto" : std::to_string(a.gram.chunk_rows).c_str(),
                a.gram.share_agreeing ? "on" : "off");
    std::printf("seconds, wall/cpu (cpu = process CPU time, all threads)\n");
    std::printf("%-6s %5s %6s %6s %11s %11s %11s %11s %11s | %5s | %6s %6s %6s %6s\n", "layer", "dim", "k_corr",
                "k_true", "accumulate", "fit", "score_train", "score_test", "total", "gen", "trC/C", "trT/T", "teC/T",
                "teT/T");
    Phase grand;
    std::vector<float> x;
    std::vector<LayerReport> reports;
    for (size_t l = 0; l < a.layers.size(); ++l) {
        const int64_t d = a.layers[l];
        const std::string name = l == 0 ? "input" : "fc" + std::to_string(l);
        const FeatureGenerator gen(d, K, 1000 + l);
        Phase gen_time, acc, fit_time, train_time, test_time;
        // Rows [first, first + n) of the generated stream, batch by batch: generate (timed apart), then
        // hand (rows, offset, count) to `use`, timed into `phase`.
        const auto stream = [&](int64_t first, int64_t n, const int32_t* labels, Phase& phase, const auto& use) {
            for (int64_t b = 0; b < n; b += a.batch) {
                const int64_t m = std::min(a.batch, n - b);
                const Stopwatch g;
                gen.rows(first + b, m, labels + b, x);
                g.add_to(gen_time);
                const Stopwatch w;
                use(x.data(), b, m);
                w.add_to(phase);
            }
        };

        ClassGram grams(name, d, K, 2, a.gram);
        stream(0, a.train, train_true.data(), acc, [&](const float* rows, int64_t b, int64_t m) {
            grams.add(rows, m, std::vector<const int32_t*>{train_corrupt.data() + b, train_true.data() + b});
        });
        Stopwatch w;
        const std::vector<LayerSubspaces> fit = fit_subspaces(grams, threshold);
        w.add_to(fit_time);
        grams = ClassGram(name, 1, 1);  // release the Grams before scoring, as a layer-by-layer run would

        const Masc masc({&fit[0], &fit[1]});
        MascTally train_tally(masc, 2), test_tally(masc, 1);
        stream(0, a.train, train_true.data(), train_time, [&](const float* rows, int64_t b, int64_t m) {
            train_tally.add(rows, m, std::vector<const int32_t*>{train_corrupt.data() + b, train_true.data() + b});
        });
        stream(a.train, a.test, test_true.data(), test_time, [&](const float* rows, int64_t b, int64_t m) {
            test_tally.add(rows, m, std::vector<const int32_t*>{test_true.data() + b});
        });
        const Phase total{acc.wall + fit_time.wall + train_time.wall + test_time.wall,
                          acc.cpu + fit_time.cpu + train_time.cpu + test_time.cpu};
        grand.wall += total.wall;
        grand.cpu += total.cpu;
        const auto col = [](const Phase& p) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%5.2f/%5.2f", p.wall, p.cpu);
            return std::string(buf);
        };
        std::printf("%-6s %5lld %6lld %6lld %11s %11s %11s %11s %11s | %5.2f | %6.4f %6.4f %6.4f %6.4f\n", name.c_str(),
                    static_cast<long long>(d), static_cast<long long>(fit[0].k_total()),
                    static_cast<long long>(fit[1].k_total()), col(acc).c_str(), col(fit_time).c_str(),
                    col(train_time).c_str(), col(test_time).c_str(), col(total).c_str(), gen_time.wall,
                    train_tally.accuracy(0, 0), train_tally.accuracy(1, 1), test_tally.accuracy(0, 0),
                    test_tally.accuracy(1, 0));
        std::printf("       k corrupted: %s\n       k true:      %s\n", join(fit[0].k_per_class()).c_str(),
                    join(fit[1].k_per_class()).c_str());
        std::fflush(stdout);
        for (int32_t s = 0; s < 2; ++s) {  // the {corrupted, true} rows of layers.csv
            LayerReport r;
            r.layer = name;
            r.dim = d;
            r.threshold = to_string(threshold);
            r.subspaces = s == 0 ? "corrupted" : "true";
            r.k_per_class = fit[s].k_per_class();
            r.zero_rows = train_tally.zero_rows() + test_tally.zero_rows();
            r.train = {train_tally.accuracy(s, 0), train_tally.accuracy(s, 1)};
            r.test = test_tally.accuracy(s, 0);
            reports.push_back(r);
        }
    }
    std::printf("\n%s\n", csv_header({"corrupted", "true"}).c_str());
    for (const LayerReport& r : reports) std::printf("%s\n", csv_line(r).c_str());
    std::printf("all layers, fit + score (generation excluded): %.2f s wall, %.2f s cpu; peak RSS %.0f MiB\n",
                grand.wall, grand.cpu, peak_rss_mib());
    return 0;
}

int run_mnist(const Args& a) {
    const data::TrainTest mnist = data::load_mnist_format(a.mnist, "mnist", data::Scaling::MinusOneToOne);
    const int64_t d = 784, n = mnist.train.size();
    Phase acc, fit_time, test_time, train_time;
    Stopwatch w;
    ClassGram grams("input", d, 10, 1, a.gram);
    for (int64_t b = 0; b < n; b += a.batch)
        grams.add(mnist.train.batch_images(b, b + std::min(a.batch, n - b)).data(), std::min(a.batch, n - b),
                  mnist.train.true_labels.data() + b);
    w.add_to(acc);
    w = Stopwatch();
    const std::vector<LayerSubspaces> fit = fit_subspaces(grams, parse_threshold(a.threshold));
    w.add_to(fit_time);
    w = Stopwatch();
    const Masc masc(fit[0]);
    MascTally test(masc, 1);
    test.add(mnist.test.batch_images(0, mnist.test.size()).data(), mnist.test.size(), std::vector<const int32_t*>{mnist.test.true_labels.data()});
    w.add_to(test_time);
    w = Stopwatch();
    MascTally train(masc, 1);
    train.add(mnist.train.batch_images(0, n).data(), n, std::vector<const int32_t*>{mnist.train.true_labels.data()});
    w.add_to(train_time);
    std::printf("MNIST input, true labels, [-1, 1]: k %s (sum %lld)\n", join(fit[0].k_per_class()).c_str(),
                static_cast<long long>(fit[0].k_total()));
    std::printf("  test accuracy %.4f (%lld/%lld; reference 0.8234), train accuracy %.5f\n", test.accuracy(0, 0),
                static_cast<long long>(test.correct(0, 0)), static_cast<long long>(test.rows()),
                train.accuracy(0, 0));
    std::printf("  seconds wall/cpu: accumulate %.2f/%.2f, fit %.2f/%.2f, score test %.2f/%.2f, score train "
                "%.2f/%.2f; fit + test %.2f wall; peak RSS %.0f MiB\n",
                acc.wall, acc.cpu, fit_time.wall, fit_time.cpu, test_time.wall, test_time.cpu, train_time.wall,
                train_time.cpu, acc.wall + fit_time.wall + test_time.wall, peak_rss_mib());
    return test.correct(0, 0) == 8234 ? 0 : 1;
}


// The k-NN probe's floor: its test scoring is 2·m·n·d flops of SGEMM (m queries against n training
// rows of width d, in blocks of 256 queries, probe/knn_probe.cpp); this times that SGEMM shape alone
// (best of 3 blocks) and prints the seconds the whole product takes at that rate.
void print_knn_floor(const float* train, int64_t n, int64_t m, int64_t d) {
    const int64_t block = 256;
    std::vector<float> q(train, train + block * d), sim(static_cast<size_t>(block * n));
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
        const auto start = std::chrono::steady_clock::now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(block), static_cast<int>(n),
                    static_cast<int>(d), 1.0f, q.data(), static_cast<int>(d), train, static_cast<int>(d), 0.0f,
                    sim.data(), static_cast<int>(n));
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const double rate = 2.0 * double(block) * double(n) * double(d) / best;
    const double flops = 2.0 * double(m) * double(n) * double(d);
    std::printf("knn floor (synthetic_2048): %lld queries × %lld rows × d %lld = %.2f TFLOP of SGEMM; this "
                "machine's SGEMM on the probe's block shape (256 × %lld × %lld) runs at %.0f GFLOP/s, so the "
                "product alone takes %.2f s\n",
                static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(d), flops / 1e12,
                static_cast<long long>(n), static_cast<long long>(d), rate / 1e9, flops / rate);
}

// --probes: every named probe's fit and test-scoring time and test accuracy through the probe API, on
// MNIST's input layer (60000 × 784, true labels) and a synthetic 2048-wide layer (--train × 2048,
// classes i mod 10). The shared per-class statistics (one ClassGram pass) are timed once, apart.
// With --sklearn 1 the same features are written to a temporary folder and
// scripts/probe_bench_sklearn.py times scikit-learn's (and numpy's MASC) fit + score on them in the
// same run, so both tables come from one invocation on the same machine state.
int run_probes(const Args& a) {
    const std::vector<std::string> names = parse_probe_names(a.probes);
    struct Layer {
        std::string name;
        int64_t d;
        std::vector<float> train, test;
        std::vector<int32_t> train_labels, test_labels;
    };
    std::vector<Layer> layers;
    if (!a.mnist.empty()) {
        const data::TrainTest m = data::load_mnist_format(a.mnist, "mnist", data::Scaling::MinusOneToOne);
        const Tensor train_x = m.train.batch_images(0, m.train.size()), test_x = m.test.batch_images(0, m.test.size());
        layers.push_back({"mnist_input", 784, std::vector<float>(train_x.data(), train_x.data() + train_x.numel()),
                          std::vector<float>(test_x.data(), test_x.data() + test_x.numel()), m.train.true_labels,
                          m.test.true_labels});
    }
    PROBENET_CHECK(a.wide || !layers.empty(), "probe_bench: --wide 0 leaves no layer to probe; add --mnist DIR");
    if (a.wide) {
        Layer wide{"synthetic_2048", 2048, {}, {}, {}, {}};
        for (int64_t i = 0; i < a.train; ++i) wide.train_labels.push_back(static_cast<int32_t>(i % 10));
        for (int64_t i = 0; i < a.test; ++i) wide.test_labels.push_back(static_cast<int32_t>((a.train + i) % 10));
        const FeatureGenerator gen(2048, 10, 7);
        gen.rows(0, a.train, wide.train_labels.data(), wide.train);
        gen.rows(a.train, a.test, wide.test_labels.data(), wide.test);
        layers.push_back(std::move(wide));
    }
    std::string dir;
    if (a.sklearn) {
        char tmpl[] = "/tmp/probe_bench_XXXXXX";
        PROBENET_CHECK(mkdtemp(tmpl) != nullptr, "probe_bench: cannot make a temporary folder");
        dir = tmpl;
    }
    std::printf("%-15s %-8s %9s %9s %9s %8s %10s\n", "layer", "probe", "stats s", "fit s", "test s", "test acc",
                "holds MB");
    for (const Layer& l : layers) {
        const int64_t n = static_cast<int64_t>(l.train_labels.size()), m = static_cast<int64_t>(l.test_labels.size());
        // The statistics pass, timed: with Grams (MASC, LDA, QDA), or counts and sums only — the pass a run
        // makes when none of its probes reads Grams (ClassGram::Options::grams).
        const auto gather = [&](ClassGram& stats, Phase& phase) {
            const Stopwatch w;
            for (int64_t b = 0; b < n; b += a.batch)
                stats.add(l.train.data() + b * l.d, std::min(a.batch, n - b), l.train_labels.data() + b);
            stats.flush();
            w.add_to(phase);
        };
        Phase stats, moments;
        ClassGram grams(l.name, l.d, 10, 1, a.gram);
        gather(grams, stats);
        ClassGram::Options moments_only;
        moments_only.grams = false;
        ClassGram sums(l.name, l.d, 10, 1, moments_only);
        gather(sums, moments);
        Stopwatch w;
        for (const std::string& name : names) {
            ProbeOptions options;
            Phase fit, test;
            w = Stopwatch();
            auto probe = make_probe(name, options);
            probe->fit(TrainingData{grams, l.train.data(), n, {l.train_labels.data()}, {"true"}});
            w.add_to(fit);
            std::vector<int32_t> pred(static_cast<size_t>(m));
            int32_t* out = pred.data();
            w = Stopwatch();
            probe->predict(l.test.data(), m, std::span<int32_t* const>(&out, 1));
            w.add_to(test);
            const int64_t correct = data::count_equal(pred, l.test_labels);
            std::printf("%-15s %-8s %9.2f %9.2f %9.2f %8.4f %10.1f\n", l.name.c_str(), name.c_str(),
                        probe->needs_grams() ? stats.wall : moments.wall,
                        fit.wall, test.wall, double(correct) / double(m), double(probe->bytes_held()) / 1e6);
            std::fflush(stdout);
        }
        if (a.sklearn) {
            const auto dump = [&](const std::string& file, const void* data, size_t bytes) {
                FILE* f = std::fopen((dir + "/" + l.name + file).c_str(), "wb");
                PROBENET_CHECK(f != nullptr && std::fwrite(data, 1, bytes, f) == bytes, "probe_bench: cannot write ",
                               dir, "/", l.name, file);
                std::fclose(f);
            };
            dump(".train.f32", l.train.data(), l.train.size() * 4);
            dump(".test.f32", l.test.data(), l.test.size() * 4);
            dump(".train.i32", l.train_labels.data(), l.train_labels.size() * 4);
            dump(".test.i32", l.test_labels.data(), l.test_labels.size() * 4);
        }
    }
    std::printf("(stats: the ClassGram pass the probe needs — with Grams, or counts and sums only — shared by all\n"
                " probes of a run and not included in a probe's fit; wall seconds)\n");
    if (a.wide && std::find(names.begin(), names.end(), "knn") != names.end())
        print_knn_floor(layers.back().train.data(), a.train, a.test, 2048);
    if (!a.sklearn) return 0;
    std::fflush(stdout);
    std::string command = "/usr/bin/python3 scripts/probe_bench_sklearn.py " + dir + " " + a.probes;
    for (const Layer& l : layers) command += " " + l.name + ":" + std::to_string(l.d);
    const int rc = std::system(command.c_str());
    std::filesystem::remove_all(dir);
    return rc == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    try {
        const Args a = parse(argc, argv);
        std::printf("%s\n", runtime_summary(Device::CPU).c_str());
        if (!a.probes.empty()) return run_probes(a);
        return a.mnist.empty() ? run_synthetic(a) : run_mnist(a);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "probe_bench: %s\n", e.what());
        return 1;
    }
}
