#!/usr/bin/env bash
# Installs what `make bench` compares probenet against, from Debian: PyTorch for Python
# (python3-torch, for bench/torch_step.py), libtorch (libtorch-dev) and dlib (libdlib-dev) for the
# C++ peers in bench/peers/, BLIS (libblis4-openmp, the third column of bench/small_batch_gemm_bench),
# scikit-learn (python3-sklearn, for `probe_bench --sklearn 1` through scripts/probe_bench_sklearn.py),
# and the compiler and CMake that build them. Idempotent: packages
# already present are skipped (libtorch-dev is large: a first install takes a few minutes).
set -euo pipefail
source "$(dirname "$0")/apt_missing.sh"
apt_install_missing g++ cmake make python3 python3-torch python3-sklearn libtorch-dev libdlib-dev libblis4-openmp
