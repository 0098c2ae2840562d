// Command-line options shared by every experiment (CLI11). `--help` lists them with defaults;
// defaults come from the experiment's Protocol. Bad values throw probenet::Error naming the flag.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "experiments/common/protocol.h"
#include "probe/threshold.h"
#include "tensor/device.h"

namespace probenet::experiments {

struct Options {
    double corrupt = 0.8;        // --corrupt P: fraction of training labels redrawn uniformly
    int run = 1;                 // --run R: the run index (output folder run<R>; default seed)
    uint32_t seed = 0;           // --seed S: model-initialisation seed (default: the run index)
    std::string data_dir;        // --data DIR
    std::string out_dir;         // --out DIR (default results/<name>/p<P>/run<R>)
    int max_epochs = 500;        // --max-epochs N (0: no training, probe the initialised network)
    double target_acc = 0.999;   // --target-acc A: stop rule on the running train accuracy, in [0, 1]
    int batch = 32;              // --batch B
    double lr = 1e-3;            // --lr X
    int threads = 0;             // --threads T (0: all cores)
    int64_t train_size = 0;      // --train-size N: a prefix of the file order (0: all)
    std::string device = "cpu";  // --device cpu|cuda
    std::string checkpoint;      // --checkpoint FILE: probe a saved model, no training
    std::string init;            // --init FILE: start training from these weights instead of the seeded init
    std::string layers;          // --layers a,b,c: probe these instead of the protocol's
    std::string threshold_list = "0.99";  // --variance T[,T…]: MASC thresholds as given, each a fraction of
                                          // variance or a whole number of components
    std::string probes = "masc";    // --probes a,b: masc, ncm, knn, lda, qda, linear (probe/probe_registry.h)
    double probe_corrupt = -1;      // --probe-corrupt P: also fit on labels corrupted at P (< 0: not given)
    double qda_reg = 0.0;           // --qda-reg R: QDA's regularisation (scikit-learn's reg_param)
    std::string masc_precision = "float32";  // --masc-precision float32|float64: MASC's scoring GEMM
                                             // (the same predictions either way, probe/masc.h)
    int probe_every = 0;            // --probe-every N: probe every N epochs while training (dynamics.csv)
    double probe_memory_gb = 0.0;   // --probe-memory GB: limit on rows kept by knn/linear (0: 80% of available)
    bool no_probe = false;       // --no-probe: train only
    std::string denormals = "flush";  // --denormals flush|keep: flush subnormal floats to zero (tensor/runtime.h)
    std::string conv3x3 = "winograd";  // --conv3x3 winograd|direct: the CPU's 3×3 convolutions, channels in 16s
    bool resume = false;         // --resume: continue the run in --out from its train_state.safetensors
                                 // (and, with --retrain, an interrupted retraining in --out)
    bool retrain = false;        // --retrain: relabel with the best layer's MASC and fine-tune (retrain.h)
    int retrain_epochs = 30;     // --retrain-epochs N: at most N fine-tuning epochs per label set
    int patience = 3;            // --patience P: early stopping on the 20 % test part (0: none)
    Device device_kind() const { return parse_device(device); }
    // Parsed forms of --probes and --variance (parse_options has validated both).
    std::vector<std::string> probe_names() const;
    std::vector<probe::Threshold> thresholds() const;
};

// Parses argv; on --help prints usage and exits 0; on a bad flag throws probenet::Error.
Options parse_options(const Protocol& protocol, int argc, char** argv);

}  // namespace probenet::experiments
