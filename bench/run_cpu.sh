#!/usr/bin/env bash
# CPU speed comparison, one sitting, same machine, same thread count, same model and batch:
#   probenet  build/bench/<model>_step_bench (the MLP also prints its floor, and its GEMMs per library)
#   PyTorch   bench/torch_step.py (Debian python3-torch)
#   C++ peers bench/peers/ (libtorch and dlib from Debian), built here into build/peers/
# Every program prints `step_ms X`; this script collects them and prints ratios against PyTorch.
# The dependencies come from scripts/install_bench_deps.sh (`make bench` runs it first).
#
# Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to SSE3 kernels;
# probenet then re-runs itself with better ones (tensor/runtime.h). PyTorch and the peers load the
# same OpenBLAS, so when probenet switched kernels, each of them is timed twice: as installed
# ("default"), and with the OPENBLAS_CORETYPE probenet chose ("tuned", the like-for-like
# comparison). Where OpenBLAS recognises the CPU, everything runs once, as installed.
#
# AlexNet–CIFAR-100 (batch 128, Adam) runs against bench/torch_alexnet_step.py; its per-phase and
# per-layer numbers come from bench/compare_alexnet_torch.sh.
# To add a model: one `program` line per implementation in the table below.
# Rounds: the whole table runs `rounds` times, one program after the other, and each ratio is the median of
# the per-round ratios (a program against PyTorch's run of the same round), printed with its range. On a
# shared virtual machine the step time of one program drifts by up to 1.7× from one run to the next (the
# MLP at 2 threads on a 2-core EPYC: 8.7–14.7 ms over sixteen runs); rounds keep a slow spell from
# landing on one program only, and the range shows how wide the spread was.
# usage: bash bench/run_cpu.sh [threads=2] [mlp_steps=300] [cnn_steps=50] [alexnet_steps=5] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
mlp_steps=${2:-300}
cnn_steps=${3:-50}
alexnet_steps=${4:-5}
rounds=${5:-3}
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "error: rounds (the 5th argument) must be a positive integer, got '$rounds'" >&2; exit 1; }
export OMP_NUM_THREADS=$threads
python=/usr/bin/python3  # Debian's python3-torch lives with the system interpreter
peers=build/peers

for b in mlp_step_bench cnn_step_bench alexnet_step_bench small_batch_gemm_bench; do
  [ -x build/bench/$b ] || { echo "error: build/bench/$b missing: run 'make' first" >&2; exit 1; }
done
if [ ! -x $peers/dlib_cnn ] || [ bench/peers -nt $peers/dlib_cnn ]; then
  echo "building the C++ peers (bench/peers → $peers)"
  cmake -S bench/peers -B $peers -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build $peers -j "$threads" >/dev/null
fi

# The table: program MODEL NAME COMMAND... (NAME probenet is timed once; the others per mode).
models=() names=() commands=()
program() { models+=("$1"); names+=("$2"); shift 2; commands+=("$*"); }
program mlp probenet build/bench/mlp_step_bench "$mlp_steps" "$threads"
program mlp torch    $python bench/torch_step.py mlp --steps "$mlp_steps" --threads "$threads"
program mlp libtorch $peers/libtorch_mlp "$mlp_steps" "$threads"
program mlp dlib     $peers/dlib_mlp $(( (mlp_steps + 2) / 3 )) "$threads"
program cnn probenet build/bench/cnn_step_bench --steps "$cnn_steps" --threads "$threads" --no-breakdown
program cnn torch    $python bench/torch_step.py cnn --steps "$cnn_steps" --threads "$threads"
program cnn libtorch $peers/libtorch_cnn "$cnn_steps" "$threads"
program cnn dlib     $peers/dlib_cnn $(( (cnn_steps + 2) / 3 )) "$threads"
program alexnet probenet build/bench/alexnet_step_bench --steps "$alexnet_steps" --threads "$threads" --no-breakdown
program alexnet torch    $python bench/torch_alexnet_step.py --steps "$alexnet_steps" --threads "$threads" --no-breakdown

# Runs one program and prints its step_ms; a failing program stops the script with its last lines.
step_ms() {
  local out
  out=$("$@" 2>&1) || { echo "error: '$*' failed:" >&2; tail -n 5 <<<"$out" >&2; exit 1; }
  awk '{ for (i = 1; i < NF; ++i) if ($i == "step_ms") v = $(i + 1) } END { if (v == "") exit 1; print v }' <<<"$out" ||
    { echo "error: '$*' printed no step_ms" >&2; exit 1; }
}

# The kernels probenet runs with: the core it re-executes itself with, if it did.
probe_out=$(build/bench/mlp_step_bench 1 "$threads" 2>&1 || true)
core=$(grep -o 'OPENBLAS_CORETYPE=[A-Za-z0-9]*' <<<"$probe_out" | head -n 1 | cut -d= -f2 || true)
if [ -n "$core" ]; then
  modes=(default tuned)
  echo "threads $threads; probenet switched OpenBLAS to $core kernels: peers run as installed and with $core"
else
  modes=(default)
  echo "threads $threads; OpenBLAS kept its own kernels ($(grep -o 'USE_OPENMP [A-Za-z0-9]*' <<<"$probe_out" | head -n 1 | cut -d' ' -f2 || true))"
fi

# ms[KEY]: the step times of KEY's rounds, space-separated, in round order.
declare -A ms
for ((round = 1; round <= rounds; ++round)); do
  for i in "${!commands[@]}"; do
    key="${names[$i]}_${models[$i]}"
    if [ "${names[$i]}" = probenet ]; then
      ms[$key]+="$(step_ms ${commands[$i]}) "
      continue
    fi
    for mode in "${modes[@]}"; do
      if [ "$mode" = tuned ]; then export OPENBLAS_CORETYPE=$core; fi
      ms[${key}_$mode]+="$(step_ms ${commands[$i]}) "
      unset OPENBLAS_CORETYPE
    done
  done
done

ref_mode=${modes[-1]}
printf '\n%d rounds; step_ms and the ratio are medians over the rounds, the ratio of each round against\n' "$rounds"
printf "PyTorch's step in the same round (its range in brackets)\n"
printf '%-24s %10s   %-22s   %s\n' "program" "step_ms" "÷ PyTorch ($ref_mode)" "step_ms per round"
row() {
  awk -v n="$1" -v a="$2" -v b="$3" '
    function median(v, m,   i, j, t) {  # sorts v[1..m] in place
      for (i = 2; i <= m; ++i) for (j = i; j > 1 && v[j - 1] > v[j]; --j) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
    }
    BEGIN {
      m = split(a, x, " "); split(b, y, " ")
      for (i = 1; i <= m; ++i) { r[i] = x[i] / y[i]; t[i] = x[i] }
      mr = median(r, m); mt = median(t, m)
      printf "%-24s %10.2f   %6.3f [%.3f–%.3f]   %s\n", n, mt, mr, r[1], r[m], a
    }'
}
for model in $(printf '%s\n' "${models[@]}" | awk '!seen[$0]++'); do
  ref=${ms[torch_${model}_$ref_mode]:-}
  [ -n "$ref" ] || { echo "error: no PyTorch time for $model" >&2; exit 1; }
  for i in "${!commands[@]}"; do
    [ "${models[$i]}" = "$model" ] || continue
    name=${names[$i]}
    if [ "$name" = probenet ]; then
      row "probenet $model" "${ms[probenet_$model]}" "$ref"
    else
      for mode in "${modes[@]}"; do row "$name $model ($mode)" "${ms[${name}_${model}_$mode]}" "$ref"; done
    fi
  done
done

# The MLP step against its floor on this machine, and its GEMMs with each library (OpenBLAS, BLIS, probenet's).
echo
build/bench/mlp_step_bench "$mlp_steps" "$threads" 2>&1 | grep '^floor:' || true
build/bench/small_batch_gemm_bench "$threads" 100 2>&1 | tail -n 1
