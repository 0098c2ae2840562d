#include "experiments/common/options.h"

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <thread>

#include "data/dataset_registry.h"
#include "probe/probe_registry.h"
#include "tensor/backend.h"
#include "tensor/error.h"

namespace probenet::experiments {

std::vector<std::string> Options::probe_names() const { return probe::parse_probe_names(probes); }
std::vector<probe::Threshold> Options::thresholds() const { return probe::parse_threshold_list(threshold_list); }

Options parse_options(const Protocol& protocol, int argc, char** argv) {
    Options o;
    o.corrupt = protocol.default_corrupt;
    o.max_epochs = protocol.max_epochs;
    o.target_acc = protocol.target_train_acc;
    o.batch = protocol.batch;
    o.lr = protocol.lr;
    const data::DatasetInfo& dataset = data::dataset_info(protocol.dataset);
    o.data_dir = dataset.default_dir;
    o.device = backend_available(Device::CUDA) ? "cuda" : "cpu";

    CLI::App app{protocol.name + ": train on labels corrupted to a degree p, then probe every layer with MASC"};
    int64_t seed = -1;
    app.add_option("--corrupt", o.corrupt, "fraction p of training labels redrawn uniformly over all classes")
        ->capture_default_str();
    app.add_option("--run", o.run, "run index: names the output folder and is the default seed")->capture_default_str();
    app.add_option("--seed", seed, "model-initialisation seed (default: the run index)");
    app.add_option("--data", o.data_dir, "dataset folder: " + dataset.layout)->capture_default_str();
    app.add_option("--out", o.out_dir, "output folder (default results/<experiment>/p<P>/run<R>)");
    app.add_option("--max-epochs", o.max_epochs, "at most this many epochs (0: probe the untrained network)")
        ->capture_default_str();
    app.add_option("--target-acc", o.target_acc, "stop when the running train accuracy on the corrupted labels "
                                                 "reaches this fraction")
        ->capture_default_str();
    app.add_option("--batch", o.batch, "batch size")->capture_default_str();
    app.add_option("--lr", o.lr, "learning rate")->capture_default_str();
    app.add_option("--threads", o.threads, "CPU threads (0: all cores)")->capture_default_str();
    app.add_option("--train-size", o.train_size, "use only the first N training samples (0: all)")
        ->capture_default_str();
    app.add_option("--device", o.device, "cpu or cuda (default: cuda when present)")->capture_default_str();
    app.add_option("--checkpoint", o.checkpoint, "probe this saved model (safetensors) instead of training");
    app.add_option("--init", o.init, "start from the weights in this safetensors file (e.g. a PyTorch model's "
                                     "initialisation, scripts/torch_same_init.py) instead of the seeded one");
    app.add_option("--layers", o.layers, "comma-separated layers to probe (default: the paper's)");
    app.add_option("--variance", o.threshold_list, "MASC's PCA thresholds, comma-separated: a fraction of variance in "
                                             "(0,1), or a whole number of components per class (e.g. 0.25,0.99,1)")
        ->capture_default_str();
    app.add_option("--probes", o.probes, "comma-separated probes: " + probe::known_probes())->capture_default_str();
    CLI::Option* probe_corrupt = app.add_option("--probe-corrupt", o.probe_corrupt, "also fit the probes on training labels corrupted at this "
                                                       "degree (numpy seed 42), whatever --corrupt the model had");
    app.add_option("--qda-reg", o.qda_reg, "QDA regularisation in [0, 1] (scikit-learn's reg_param; 0 as the "
                                           "authors ran it)")
        ->capture_default_str();
    app.add_option("--masc-precision", o.masc_precision, "float32: MASC scores in float32 where a rounding bound "
                                                         "certifies the prediction and rescores the other rows in "
                                                         "float64; float64: every row in float64 (the same "
                                                         "predictions, about half as fast)")
        ->check(CLI::IsMember({"float32", "float64"}))
        ->capture_default_str();
    app.add_option("--probe-every", o.probe_every, "while training, probe every N epochs (dynamics.csv, "
                                                   "dynamics.svg); 0: only after training")
        ->capture_default_str();
    app.add_option("--probe-memory", o.probe_memory_gb, "GB the training rows kept by knn/linear may take "
                                                        "(0: 80% of the memory available)")
        ->capture_default_str();
    app.add_flag("--no-probe", o.no_probe, "train only, skip the probe");
    app.add_option("--denormals", o.denormals, "flush: subnormal floats become 0 (FTZ/DAZ), 2x faster late in "
                                               "training; keep: IEEE gradual underflow, as PyTorch does by default")
        ->check(CLI::IsMember({"flush", "keep"}))
        ->capture_default_str();
    app.add_option("--conv3x3", o.conv3x3, "winograd: the CPU computes 3x3 convolutions whose channels in and "
                                           "out are multiples of 16 (forward, input gradient) with Winograd's F(2x2, 3x3), "
                                           "~2x fewer multiplications, a few more roundings; direct: plain sums")
        ->check(CLI::IsMember({"winograd", "direct"}))
        ->capture_default_str();
    app.add_flag("--resume", o.resume, "continue the interrupted run in the output folder from its "
                                       "train_state.safetensors (same flags; --max-epochs may grow)");
    app.add_flag("--retrain", o.retrain, "after training (or loading --checkpoint): relabel the training set with "
                                         "the best layer's MASC predictions and fine-tune on them (the paper's "
                                         "§3.3; retrain_*.csv, retrain.svg, summary.json)");
    app.add_option("--retrain-epochs", o.retrain_epochs, "--retrain: at most this many fine-tuning epochs")
        ->capture_default_str();
    app.add_option("--patience", o.patience, "--retrain: stop after this many epochs without a strict improvement "
                                             "on the 20 % test part (0: no early stopping)")
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::ParseError& e) {
        throw Error(std::string(e.what()) + " (see --help)");
    }
    if (seed >= 0) {
        PROBENET_CHECK(seed <= 0xffffffffLL, "--seed must fit in 32 bits, got ", seed);
        o.seed = static_cast<uint32_t>(seed);
    } else {
        o.seed = static_cast<uint32_t>(o.run);
    }
    PROBENET_CHECK(o.corrupt >= 0.0 && o.corrupt <= 1.0, "--corrupt must be in [0, 1], got ", o.corrupt);
    PROBENET_CHECK(o.run >= 1, "--run must be >= 1, got ", o.run);
    PROBENET_CHECK(o.max_epochs >= 0, "--max-epochs must be >= 0, got ", o.max_epochs);
    PROBENET_CHECK(o.target_acc >= 0.0 && o.target_acc <= 1.0, "--target-acc must be a fraction in [0, 1], got ",
                   o.target_acc, o.target_acc > 1 ? " (write 0.999, not 99.9)" : "");
    PROBENET_CHECK(o.batch >= 1, "--batch must be >= 1, got ", o.batch);
    PROBENET_CHECK(o.lr > 0.0 && std::isfinite(o.lr), "--lr must be positive, got ", o.lr);
    // The optimizers hold the rate as a float: check what they will use, not the double typed.
    const float lr_used = static_cast<float>(o.lr);
    PROBENET_CHECK(lr_used > 0.0f && std::isfinite(lr_used) && std::isnormal(lr_used), "--lr ", o.lr,
                   " is not a usable float32 learning rate (it becomes ", lr_used, "); give a value between ",
                   std::numeric_limits<float>::min(), " and ", std::numeric_limits<float>::max());
    PROBENET_CHECK(o.threads >= 0, "--threads must be >= 0, got ", o.threads);
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    if (cores > 0 && o.threads > cores)
        std::fprintf(stderr, "note: --threads %d is more than this machine's %d cores; the extra threads share "
                             "cores and usually make every step slower\n", o.threads, cores);
    PROBENET_CHECK(o.train_size >= 0, "--train-size must be >= 0, got ", o.train_size);
    o.device_kind();  // validates the name
    o.probe_names();  // unknown probes: an error listing the known ones
    o.thresholds();   // an invalid --variance entry: an error naming it
    PROBENET_CHECK(probe_corrupt->count() == 0 || (o.probe_corrupt >= 0.0 && o.probe_corrupt <= 1.0),
                   "--probe-corrupt must be in [0, 1], got ", o.probe_corrupt);
    PROBENET_CHECK(o.probe_every >= 0, "--probe-every must be >= 0 epochs, got ", o.probe_every);
    PROBENET_CHECK(o.qda_reg >= 0.0 && o.qda_reg <= 1.0, "--qda-reg must be in [0, 1], got ", o.qda_reg);
    PROBENET_CHECK(o.probe_memory_gb >= 0.0 && std::isfinite(o.probe_memory_gb), "--probe-memory must be >= 0 GB, "
                   "got ", o.probe_memory_gb);
    PROBENET_CHECK(!(o.resume && !o.checkpoint.empty()) || o.retrain, "--resume continues training; --checkpoint "
                   "probes without training: give one of them (with --retrain, --resume continues the retraining)");
    PROBENET_CHECK(o.retrain_epochs >= 0, "--retrain-epochs must be >= 0, got ", o.retrain_epochs);
    PROBENET_CHECK(o.patience >= 0, "--patience must be >= 0 epochs (0: no early stopping), got ", o.patience);
    PROBENET_CHECK(!o.retrain || !o.checkpoint.empty() || o.max_epochs > 0 || o.resume,
                   "--retrain fine-tunes a memorized model, but there is none: give --checkpoint FILE (a trained "
                   "model of this experiment) or train first (--max-epochs > 0)");
    PROBENET_CHECK(!(o.retrain && o.no_probe), "--retrain probes the model's layers with MASC; drop --no-probe");
    PROBENET_CHECK(o.init.empty() || o.checkpoint.empty(), "--init sets the weights training starts from; "
                   "--checkpoint probes a trained model without training: give one of them");
    if (o.out_dir.empty()) {
        char p[16];
        std::snprintf(p, sizeof p, "p%.2f", o.corrupt);
        o.out_dir = "results/" + protocol.name + "/" + p + "/run" + std::to_string(o.run);
    }
    return o;
}

}  // namespace probenet::experiments
