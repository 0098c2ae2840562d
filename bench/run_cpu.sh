#!/usr/bin/env bash
# CPU speed comparison, one sitting, same machine, same thread count, same model and batch:
#   probenet  build/bench/mlp_step_bench (and cnn_step_bench when built)
#   PyTorch   ../shared/bench/torch_ref.py (Debian python3-torch 1.13)
#   C++ peers ../shared/bench/peers/ (libtorch 1.13 and dlib 19.24 from Debian)
# Every program prints `step_ms X`; this script collects them and prints ratios against PyTorch.
#
# Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to SSE3 kernels.
# probenet then picks AVX-512/AVX2 kernels itself (tensor/runtime.h); PyTorch and the peers load
# the same OpenBLAS, so each peer is timed twice: as installed, and with the same
# OPENBLAS_CORETYPE probenet uses — the second is the like-for-like comparison.
# AlexNet–CIFAR-100 (when alexnet_step_bench is built) against bench/torch_alexnet_step.py; per-phase
# and per-layer numbers: bench/compare_alexnet_torch.sh.
# usage: bash bench/run_cpu.sh [threads=2] [mlp_steps=300] [cnn_steps=50] [alexnet_steps=5]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
mlp_steps=${2:-300}
cnn_steps=${3:-50}
alexnet_steps=${4:-5}
shared=$(cd .. && pwd)/shared
[ -d "$shared/bench" ] || { echo "error: ../shared/bench not found next to the checkout" >&2; exit 1; }
[ -d data/mnist ] || { echo "error: data/mnist missing: run 'make data'" >&2; exit 1; }
export OMP_NUM_THREADS=$threads

peers=build/peers
if [ ! -x $peers/libtorch_mlp ]; then
  dpkg -s libtorch-dev libdlib-dev python3-torch >/dev/null 2>&1 || {
    echo "installing the peers (python3-torch libtorch-dev libdlib-dev)"; apt-get install -y -q python3-torch libtorch-dev libdlib-dev >/dev/null; }
  cmake -S "$shared/bench/peers" -B $peers -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build $peers -j "$threads" >/dev/null
fi

step_ms() { grep -o 'step_ms [0-9.]*' | awk '{print $2}' | tail -n 1; }
# The kernels probenet runs with: the core it re-executes itself with, else the one OpenBLAS chose.
probe_out=$(build/bench/mlp_step_bench 1 "$threads" 2>&1)
core=$(grep -o 'OPENBLAS_CORETYPE=[A-Za-z0-9]*' <<<"$probe_out" | head -n 1 | cut -d= -f2)
[ -n "$core" ] || core=$(grep -o 'USE_OPENMP [A-Za-z0-9]*' <<<"$probe_out" | head -n 1 | cut -d' ' -f2)
echo "threads $threads; probenet's OpenBLAS kernels: $core"

declare -A ms
ms[probenet_mlp]=$(build/bench/mlp_step_bench "$mlp_steps" "$threads" 2>/dev/null | step_ms)
for mode in default tuned; do
  if [ $mode = tuned ]; then export OPENBLAS_CORETYPE=$core; else unset OPENBLAS_CORETYPE; fi
  ms[torch_mlp_$mode]=$(cd "$shared/bench" && /usr/bin/python3 torch_ref.py mlp "$OLDPWD/data/mnist" --steps "$mlp_steps" --threads "$threads" | step_ms)
  ms[libtorch_mlp_$mode]=$($peers/libtorch_mlp "$mlp_steps" | step_ms)
  ms[dlib_mlp_$mode]=$($peers/dlib_mlp 100 | step_ms)
done
unset OPENBLAS_CORETYPE
if [ -x build/bench/cnn_step_bench ]; then
  ms[probenet_cnn]=$(build/bench/cnn_step_bench "$cnn_steps" "$threads" 2>/dev/null | step_ms)
  for mode in default tuned; do
    if [ $mode = tuned ]; then export OPENBLAS_CORETYPE=$core; else unset OPENBLAS_CORETYPE; fi
    ms[torch_cnn_$mode]=$(cd "$shared/bench" && /usr/bin/python3 torch_ref.py cnn "$OLDPWD/data/mnist" --steps "$cnn_steps" --threads "$threads" | step_ms)
    ms[dlib_cnn_$mode]=$($peers/dlib_cnn 20 | step_ms)
  done
  unset OPENBLAS_CORETYPE
fi
if [ -x build/bench/alexnet_step_bench ]; then
  ms[probenet_alexnet]=$(build/bench/alexnet_step_bench --steps "$alexnet_steps" --threads "$threads" --no-breakdown 2>/dev/null | step_ms)
  for mode in default tuned; do
    if [ $mode = tuned ]; then export OPENBLAS_CORETYPE=$core; else unset OPENBLAS_CORETYPE; fi
    ms[torch_alexnet_$mode]=$(/usr/bin/python3 bench/torch_alexnet_step.py --steps "$alexnet_steps" --threads "$threads" --no-breakdown | step_ms)
  done
  unset OPENBLAS_CORETYPE
fi

printf '\n%-24s %10s %16s\n' "program" "step_ms" "÷ PyTorch (same BLAS kernels)"
row() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%-24s %10.2f %16.3f\n", n, a, a / b }'; }
for model in mlp cnn alexnet; do
  [ -n "${ms[probenet_$model]:-}" ] || continue
  ref=${ms[torch_${model}_tuned]}
  row "probenet $model" "${ms[probenet_$model]}" "$ref"
  for k in torch libtorch dlib; do
    for mode in tuned default; do
      v=${ms[${k}_${model}_$mode]:-}
      [ -n "$v" ] && row "$k $model ($mode)" "$v" "$ref"
    done
  done
done
