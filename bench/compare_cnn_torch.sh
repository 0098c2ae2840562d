#!/usr/bin/env bash
# Times the paper's MNIST CNN training step (batch 128) in probenet and in PyTorch, alternating runs
# so both see the same machine load, and prints each run and the medians and their ratio.
#   bench/compare_cnn_torch.sh [rounds=5] [steps=50] [threads=2]
# PyTorch runs bench/torch_step.py (override with TORCH_REF=...) with Debian's python3-torch
# and OPENBLAS_CORETYPE=SkylakeX, the same OpenBLAS kernels probenet re-executes itself with (without
# it, Debian's OpenBLAS 0.3.21 uses SSE3 kernels on this CPU: see tensor/runtime.h).
# Both print `step_ms` = mean over their timed steps after untimed warm-up steps. Both inherit the environment: on a machine shared with other jobs,
# libgomp's default spin-waiting at every parallel region costs both many times their calm-machine
# step time; compare also with e.g. `GOMP_SPINCOUNT=10000 bench/compare_cnn_torch.sh` (applies to both).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5} steps=${2:-50} threads=${3:-2}
ref=${TORCH_REF:-bench/torch_step.py}
bench=build/bench/cnn_step_bench
[ -x "$bench" ] || { echo "build first: $bench is missing" >&2; exit 1; }
ours=() theirs=()
for r in $(seq "$rounds"); do
  t=$(OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 "$ref" cnn --steps "$steps" --threads "$threads" | awk '/step_ms/ {for (i = 1; i < NF; ++i) if ($i == "step_ms") print $(i + 1)}')
  p=$("$bench" --steps "$steps" --threads "$threads" --no-breakdown 2>/dev/null |
        awk '/step_ms/ {for (i = 1; i < NF; ++i) if ($i == "step_ms") print $(i + 1)}')
  echo "round $r: torch $t ms  probenet $p ms  (load $(cut -d' ' -f1 /proc/loadavg))"
  theirs+=("$t") ours+=("$p")
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
mt=$(median "${theirs[@]}") mp=$(median "${ours[@]}")
echo "median step_ms: torch $mt  probenet $mp  ratio probenet/torch $(ratio "$mp" "$mt")"
# The calmest round of each: on a shared machine the closest to what each does undisturbed.
lt=$(minimum "${theirs[@]}") lp=$(minimum "${ours[@]}")
echo "best round step_ms: torch $lt  probenet $lp  ratio probenet/torch $(ratio "$lp" "$lt")"
