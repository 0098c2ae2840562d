// probe_floor_bench: this machine's floor for each part of a MASC probe run — pass 1 (Grams), fit and
// pass 2 (scoring) — from the probe's own layers.csv, so the run's printed "probe time" line can be
// read against it. Every rate is measured here, on the shapes the probe uses, at T threads.
//
//   pass 1  Grams. A layer of dim d adds n_train·d·(d+1) multiply-adds ×2 flops per label set (dsyrk,
//           float64), less the rows every label set agrees on, whose Gram is computed once (a share
//           1 − p + p/K of them: probe/class_gram.h). Floor: those flops at the dsyrk rate measured on
//           the probe's chunk (d, 256 rows or more for narrow layers) into a d×d Gram.
//   fit     Per class, dsytrd of the d×d Gram (4/3·d³ flops). Half of them are dsymv, which reads the
//           trailing lower triangle once per column: Σ_j (d−j)²/2 doubles = 8·d³/6 bytes; the other
//           half is dsyr2k. Floor: the bytes at the read bandwidth of T cores on T matrices of that
//           size at once, plus the rest at the dgemm rate. Also measured: dsytrd itself, T matrices at
//           once, one per thread, as probe/pca.cpp runs the classes; and the whole fit of a class as
//           the probe runs it (pca_from_gram: dsytrd, dsterf for every eigenvalue, then dstemr or
//           dstedc and dormtr for the min(k, d − k) vectors stored), on a synthetic Gram at the layer's
//           mean k. The eigenvector part is the float64 path's own algorithm: it is what the run must
//           pay to give that path's basis, though not a floor of the arithmetic.
//   pass 2  MASC's float32 pass GEMM: 2·(n_train + n_test)·d·k_all flops, k_all = Σ over the label
//           sets' classes of min(k, d − k) (probe/pca.h stores the smaller side), at the rate of the
//           GEMM that pass runs for this width (Masc::amx_for_width: the AMX bf16×3 kernel, its three
//           bf16 products counted as the one float32 product they stand for; else sgemm), measured
//           on its shape (a span of Masc::span_rows rows, k_all, d). At p = 0 the label sets agree,
//           and the fit and MASC take each class once.
// The forward passes, the float64 rescoring and the bookkeeping are above these floors. Where the CPU
// has AMX-BF16, the last line gives the AMX unit's rate (a loop of TDPBF16PS on tiles in L1), the
// ceiling of the bf16×3 kernel.
//
// usage: probe_floor_bench LAYERS_CSV [--train 60000] [--test 10000] [--p-percent 80] [--threads T]
//        [--threshold 0.99]
#include <cblas.h>
#include <immintrin.h>
#include <lapacke.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/cpu_bench_common.h"
#include "probe/masc.h"
#include "probe/pca.h"
#include "tensor/error.h"
#include "tensor/runtime.h"

using namespace probenet;

namespace {

struct Layer {
    std::string name;
    int64_t dim = 0;
    int64_t sets = 0;
    int64_t k_all = 0;     // Σ min(k, d − k) over the label sets' classes
    int64_t k_sum = 0;     // Σ k over them
    int64_t classes = 0;   // per set
};

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string part; std::getline(in, part, sep);) out.push_back(part);
    return out;
}

// The masc rows of one threshold, grouped by layer in file order.
std::vector<Layer> read_layers(const std::string& path, const std::string& threshold) {
    std::ifstream in(path);
    PROBENET_CHECK(in.good(), "probe_floor_bench: cannot read ", path, " (pass a probe run's layers.csv)");
    std::string line;
    std::getline(in, line);
    PROBENET_CHECK(line.rfind("layer,dim,probe,threshold,subspaces,k_total,k_per_class", 0) == 0,
                   "probe_floor_bench: ", path, " does not start with a probe layers.csv header");
    std::vector<Layer> layers;
    for (int64_t line_no = 2; std::getline(in, line); ++line_no) {
        const std::vector<std::string> f = split(line, ',');
        if (f.size() < 7 || f[2] != "masc" || f[3] != threshold) continue;
        try {
            if (layers.empty() || layers.back().name != f[0]) layers.push_back({f[0], std::stoll(f[1])});
            Layer& l = layers.back();
            const std::vector<std::string> ks = split(f[6], ';');
            l.classes = static_cast<int64_t>(ks.size());
            ++l.sets;
            for (const std::string& k : ks) {
                l.k_all += std::min<int64_t>(std::stoll(k), l.dim - std::stoll(k));
                l.k_sum += std::stoll(k);
            }
        } catch (const std::logic_error&) {  // std::stoll on a field that is not a number
            PROBENET_CHECK(false, "probe_floor_bench: ", path, " line ", line_no,
                           ": dim or k_per_class is not a whole number (k_per_class is ';'-separated)");
        }
    }
    PROBENET_CHECK(!layers.empty(), "probe_floor_bench: no masc rows with threshold ", threshold, " in ", path);
    return layers;
}

std::vector<double> random_values(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<double> v(n);
    for (double& x : v) x = u(rng);
    return v;
}

// GFLOP/s of the GEMM of MASC's float32 pass on its span shape (AMX where that pass uses it).
double masc_gemm_rate(int64_t d, int64_t k_all) {
    const int64_t rows = probe::Masc::span_rows(k_all, probe::Masc::block_rows(k_all), probe::Masc::amx_for_width(d));
    const std::vector<double> xs = random_values(static_cast<size_t>(rows * d), 1),
                              ws = random_values(static_cast<size_t>(k_all * d), 2);
    const std::vector<float> x(xs.begin(), xs.end()), w(ws.begin(), ws.end());
    std::vector<float> p(static_cast<size_t>(rows * k_all));
    double ms = 0.0;
    if (probe::Masc::amx_for_width(d)) {  // as MASC runs it: reduced per class as it is made (20 classes)
        const cpu::AmxBf16x3Weights packed(ws.data(), k_all, d);
        cpu::AmxTiles scratch;
        std::vector<int64_t> starts;
        for (int64_t s = 0; s <= 20; ++s) starts.push_back(k_all * s / 20);
        std::vector<double> sq(static_cast<size_t>(rows * 20)), ab(sq.size()), partials;
        ms = bench::time_op([&] {
            cpu::amx_bf16x3_segment_sums(x.data(), rows, packed, starts, sq.data(), ab.data(), scratch, partials);
        }, 3, 300.0);
    } else {
        ms = bench::time_op([&] {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(rows), int(k_all), int(d), 1.0f, x.data(), int(d),
                        w.data(), int(d), 0.0f, p.data(), int(k_all));
        }, 3, 300.0);
    }
    return 2.0 * double(rows) * double(k_all) * double(d) / (ms * 1e6);
}

// GFLOP/s (2·n·d·(d+1)/2·2 counted as n·d·(d+1)) of the Gram's dsyrk on the probe's chunk.
double dsyrk_rate(int64_t d) {
    const int64_t n = std::clamp<int64_t>((int64_t{1} << 25) / (d * d), 256, 4096);
    const std::vector<double> x = random_values(static_cast<size_t>(n * d), 3);
    std::vector<double> g(static_cast<size_t>(d * d), 0.0);
    const double ms = bench::time_op([&] {
        cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, int(d), int(n), 1.0, x.data(), int(d), 1.0, g.data(),
                    int(d));
    }, 5, 300.0);
    return double(n) * double(d) * double(d + 1) / (ms * 1e6);
}

double dgemm_rate(int64_t d) {
    const std::vector<double> a = random_values(static_cast<size_t>(d * d), 4), b = random_values(a.size(), 5);
    std::vector<double> c(a.size());
    const double ms = bench::time_op([&] {
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, int(d), int(d), int(d), 1.0, a.data(), int(d),
                    b.data(), int(d), 0.0, c.data(), int(d));
    }, 3, 300.0);
    return 2.0 * double(d) * double(d) * double(d) / (ms * 1e6);
}

// GB/s read by T threads at once, each summing its own d×d lower triangle column by column (what dsymv
// streams).
double read_bandwidth(int64_t d, int threads) {
    std::vector<std::vector<double>> m(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) m[t] = random_values(static_cast<size_t>(d * d), 6 + t);
    std::vector<double> sink(static_cast<size_t>(threads));
    const double ms = bench::time_op([&] {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t) {
            const double* a = m[t].data();
            double s = 0.0;
            for (int64_t j = 0; j < d; ++j)
#pragma omp simd reduction(+ : s)
                for (int64_t i = j; i < d; ++i) s += a[j * d + i];
            sink[t] = s;
        }
    }, 3, 300.0);
    return double(threads) * 8.0 * double(d) * double(d + 1) / 2.0 / (ms * 1e6);
}

// Seconds of T dsytrd calls at once (one d×d SPD Gram each, one per thread, single-threaded inside).
double dsytrd_round(int64_t d, int threads) {
    std::vector<std::vector<double>> grams(static_cast<size_t>(threads));
    const std::vector<double> x = random_values(static_cast<size_t>(2 * d * d), 20);
    std::vector<double> g(static_cast<size_t>(d * d), 0.0);
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, int(d), int(2 * d), 1.0, x.data(), int(d), 0.0, g.data(),
                int(d));
    const double ms = bench::time_op([&] {
        for (auto& a : grams) a = g;
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t) {
            std::vector<double> diag(static_cast<size_t>(d)), off(static_cast<size_t>(d)), tau(static_cast<size_t>(d));
            LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', static_cast<lapack_int>(d), grams[t].data(),
                           static_cast<lapack_int>(d), diag.data(), off.data(), tau.data());
        }
    }, 1, 0.0);
    return ms / 1e3;
}

// Seconds of T pca_from_gram calls at once (one per thread, each with its own PcaWorkspace, as
// fit_subspaces runs them) on a synthetic d×d Gram, keeping k components: dsytrd, dsterf, then the
// min(k, d − k) eigenvectors the probe stores (dstemr or dstedc, and dormtr). A synthetic Gram's
// spectrum is not a trained layer's, so the eigenvector part is an estimate (divide and conquer
// deflates more on a decaying spectrum).
double pca_round(int64_t d, int64_t k, int threads) {
    const std::vector<double> x = random_values(static_cast<size_t>(2 * d * d), 21);
    std::vector<double> g(static_cast<size_t>(d * d), 0.0);
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, int(d), int(2 * d), 1.0, x.data(), int(d), 0.0, g.data(),
                int(d));
    std::vector<probe::PcaWorkspace> workspaces(static_cast<size_t>(threads));
    const probe::Threshold keep = probe::ComponentCount{k};
    const auto round = [&] {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t)
            probe::pca_from_gram(g.data(), d, 2 * d, std::span(&keep, 1), "probe_floor_bench", probe::Basis::Smaller,
                                 &workspaces[static_cast<size_t>(t)]);
    };
    round();  // the workspaces' first touch, as the probe pays it once per thread
    return bench::time_op(round, 1, 0.0) / 1e3;
}

// `iterations` steps of four TDPBF16PS on four accumulator tiles, the operands reloaded from L1. Its own
// function, not the lambda timed below: a lambda does not inherit its function's target attribute
// (clang), and without -march flags that include AMX the tile instructions would not compile there.
__attribute__((target("amx-tile,amx-bf16"))) void amx_tile_loop(int64_t iterations, const uint16_t (*operands)[512]) {
    for (int64_t i = 0; i < iterations; ++i) {
        _tile_loadd(4, operands[0], 64);
        _tile_loadd(5, operands[1], 64);
        _tile_loadd(6, operands[2], 64);
        _tile_loadd(7, operands[3], 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
}

// GFLOP/s of bfloat16 multiply-adds (×2) of a loop of TDPBF16PS on four accumulator tiles, their
// operand tiles in L1: the AMX unit's rate on one core.
__attribute__((target("amx-tile,amx-bf16"))) double amx_tile_peak() {
    struct alignas(64) {
        uint8_t palette = 1, start_row = 0, reserved[14] = {};
        uint16_t bytes_per_row[16] = {64, 64, 64, 64, 64, 64, 64, 64};
        uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
    } config;
    alignas(64) static uint16_t operands[4][512];
    for (auto& t : operands)
        for (uint16_t& v : t) v = 0x3c00;  // 2⁻⁷: sums stay finite
    _tile_loadconfig(&config);
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    const int64_t iterations = 1 << 20;
    const double ms = bench::time_op([&] { amx_tile_loop(iterations, operands); }, 3, 200.0);
    _tile_release();
    return double(iterations) * 4.0 * 16 * 16 * 32 * 2 / (ms * 1e6);
}

}  // namespace

int main(int argc, char** argv) {
    choose_blas_kernels(argv);
    if (argc < 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: probe_floor_bench LAYERS_CSV [--train N] [--test N] [--p-percent P] "
                             "[--threads T] [--threshold X]\n");
        return 2;
    }
    try {
        const int64_t train = bench::parse_int(argc, argv, "--train", 60000);
        const int64_t test = bench::parse_int(argc, argv, "--test", 10000);
        const double p = bench::parse_int(argc, argv, "--p-percent", 80) / 100.0;
        const int threads = bench::parse_int(argc, argv, "--threads", 2);
        std::string threshold = "0.99";
        for (int i = 1; i + 1 < argc; ++i)
            if (std::string(argv[i]) == "--threshold") threshold = argv[i + 1];
        set_threads(threads);
        std::printf("%s\n%s\n", runtime_summary(Device::CPU).c_str(), probe::Masc::screening_description().c_str());
        const std::vector<Layer> layers = read_layers(argv[1], threshold);

        double pass1 = 0, fit = 0, fit_measured = 0, fit_pca = 0, pass2 = 0;
        std::printf("%-8s %5s %5s %7s | %9s %7s | %9s %8s %8s %9s %8s | %9s %7s\n", "layer", "dim", "sets", "k_all",
                    "dsyrk GF/s", "pass1 s", "read GB/s", "dgemm GF", "fit s", "dsytrd s", "pca s", "GEMM GF/s",
                    "pass2 s");
        std::map<int64_t, double> round_of;  // dsytrd per dim, measured once
        for (const Layer& l : layers) {
            const double d = double(l.dim), classes = double(l.classes);
            const double agree = 1.0 - p + p / classes;  // share of rows all label sets agree on
            const double syrk_flops = double(train) * d * (d + 1) * (l.sets > 1 ? double(l.sets) - agree * double(l.sets - 1) : 1.0);
            const double syrk = dsyrk_rate(l.dim);
            const double t1 = syrk_flops / (syrk * 1e9);

            // At p = 0 the label sets agree: the fit and MASC take each class once.
            const double distinct_sets = p == 0.0 ? 1.0 : double(l.sets);
            const double matrices = distinct_sets * classes;
            const double read = read_bandwidth(l.dim, threads), dgemm = dgemm_rate(l.dim);
            const double t_fit = matrices * (8.0 * d * d * d / 6.0) / (read * 1e9) +
                                 matrices * (2.0 / 3.0 * d * d * d) / (dgemm * 1e9);
            if (!round_of.count(l.dim)) round_of[l.dim] = dsytrd_round(l.dim, threads);
            const double t_dsytrd = round_of[l.dim] * matrices / threads;
            // The whole fit of a class as the probe runs it, at this layer's mean k.
            const int64_t k_mean = l.k_sum / std::max<int64_t>(l.sets * l.classes, 1);
            const double t_pca = pca_round(l.dim, k_mean, threads) * matrices / threads;

            const double sgemm = masc_gemm_rate(l.dim, std::max<int64_t>(l.k_all, 1));
            const double t2 = 2.0 * double(train + test) * d * double(l.k_all) / double(l.sets) * distinct_sets /
                              (sgemm * 1e9);
            std::printf("%-8s %5lld %5lld %7lld | %9.0f %7.2f | %9.1f %8.0f %8.2f %9.2f %8.2f | %5s %4.0f %7.2f\n",
                        l.name.c_str(), static_cast<long long>(l.dim), static_cast<long long>(l.sets),
                        static_cast<long long>(l.k_all), syrk, t1, read, dgemm, t_fit, t_dsytrd, t_pca,
                        probe::Masc::amx_for_width(l.dim) ? "amx" : "sgemm", sgemm, t2);
            pass1 += t1;
            fit += t_fit;
            fit_measured += t_dsytrd;
            fit_pca += t_pca;
            pass2 += t2;
        }
        std::printf("floor: pass 1 (Grams) %.1f s, fit %.1f s (dsytrd as run: %.1f s), pass 2 (MASC's float32-pass GEMM) "
                    "%.1f s; sum %.1f s at %d threads\n",
                    pass1, fit, fit_measured, pass2, pass1 + fit + pass2, threads);
        std::printf("the fit as run (pca_from_gram on synthetic Grams at each layer's mean k: dsytrd, dsterf and "
                    "the stored eigenvectors): %.1f s\n", fit_pca);
        if (cpu::amx_bf16_usable()) {
            const double peak = amx_tile_peak();
            std::printf("AMX ceiling: TDPBF16PS on tiles in L1 runs %.0f GFLOP/s bf16 on one core, %.0f as float32 "
                        "products (three bf16 products each), %.0f on %d cores; compare the amx GEMM GF/s above\n",
                        peak, peak / 3.0, peak / 3.0 * threads, threads);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());  // every message names the program
        return 1;
    }
    return 0;
}
