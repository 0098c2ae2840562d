#!/usr/bin/env bash
# Times one AlexNet–CIFAR-100 training step (batch 128, Adam lr 1e-4, cross-entropy) in probenet
# (build/bench/alexnet_step_bench) and in PyTorch (bench/torch_alexnet_step.py, Debian's
# python3-torch), same thread count, same OpenBLAS kernels (the core probenet runs with, passed to
# PyTorch as OPENBLAS_CORETYPE: see tensor/runtime.h), alternating which goes first each round so both
# see the same machine load. Prints every round, the medians of the step and of each phase
# (forward incl. the loss, backward, optimizer) with their ratios, then one per-layer breakdown of
# each side next to each other (each layer's forward and backward alone, median of repeats).
#   bench/compare_alexnet_torch.sh [rounds=3] [steps=5] [threads=2] [--no-breakdown]
# Measured 2026-12-02, 2 threads, OpenBLAS Haswell kernels, on a 2-core machine shared with other
# builds (load ~11, so absolute times are several times a calm machine's; compare ratios only):
# step 2102 vs 5367 ms (0.39×): forward 740 vs 959 (0.77×), backward 1109 vs 2240 (0.50×), Adam 246
# vs 2204 (0.11×: probenet's one fused pass per parameter; PyTorch 1.13's CPU Adam runs one op at a
# time over each tensor).
set -euo pipefail
cd "$(dirname "$0")/.."
breakdown=1
args=()
for a in "$@"; do [ "$a" = --no-breakdown ] && breakdown=0 || args+=("$a"); done
rounds=${args[0]:-3} steps=${args[1]:-5} threads=${args[2]:-2}
bench=build/bench/alexnet_step_bench
[ -x "$bench" ] || { echo "error: $bench is missing: build first (cmake --build build)" >&2; exit 1; }
/usr/bin/python3 -c "import torch" 2>/dev/null || { echo "error: PyTorch missing: apt-get install python3-torch" >&2; exit 1; }

field() { awk -v k="$1" '{for (i = 1; i < NF; ++i) if ($i == k) print $(i + 1)}' | tail -n 1; }
core=""
run_probenet() { "$bench" --steps "$steps" --threads "$threads" "$@" 2>&1; }
run_torch() { OPENBLAS_CORETYPE=$core /usr/bin/python3 bench/torch_alexnet_step.py --steps "$steps" --threads "$threads" "$@"; }
# The kernels probenet runs with: the core it re-executes itself with, else the one OpenBLAS chose.
kernels_of() {
  local c
  c=$(grep -o 'OPENBLAS_CORETYPE=[A-Za-z0-9]*' <<<"$1" | head -n 1 | cut -d= -f2)
  [ -n "$c" ] || c=$(grep -o 'USE_OPENMP [A-Za-z0-9]*' <<<"$1" | head -n 1 | cut -d' ' -f2)
  echo "$c"
}

declare -A col
record() {  # side, output
  for k in step_ms forward_ms backward_ms optimizer_ms; do col[$1_$k]+="$(field $k <<<"$2") "; done
}
for r in $(seq "$rounds"); do
  if [ $((r % 2)) = 1 ]; then
    p=$(run_probenet --no-breakdown)
    [ -n "$core" ] || core=$(kernels_of "$p")
    t=$(run_torch --no-breakdown)
  else
    t=$(run_torch --no-breakdown)
    p=$(run_probenet --no-breakdown)
  fi
  record probenet "$p"
  record torch "$t"
  echo "round $r: torch $(field step_ms <<<"$t") ms  probenet $(field step_ms <<<"$p") ms" \
       "(load $(cut -d' ' -f1 /proc/loadavg))"
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "threads $threads, OpenBLAS kernels $core, batch 128, $steps timed steps per run, medians of $rounds rounds (ms):"
printf '%-14s %12s %12s %18s\n' phase probenet pytorch "probenet/pytorch"
for k in step_ms forward_ms backward_ms optimizer_ms; do
  mp=$(median "${col[probenet_$k]}") mt=$(median "${col[torch_$k]}")
  awk -v n="${k%_ms}" -v a="$mp" -v b="$mt" 'BEGIN {printf "%-14s %12.1f %12.1f %18.3f\n", n, a, b, a / b}'
done

[ "$breakdown" = 1 ] || exit 0
echo
echo "per layer, each alone (ms; backward = forward with grad + backward − no-grad forward):"
p=$(run_probenet --steps 1 --warmup 1) t=$(run_torch --steps 1 --warmup 1)
rows() { awk '$1 ~ /^(conv|pool|flatten|fc|classifier)[0-9]*$/ {print $1, $(NF - 1), $NF} $1 == "kind" {print "kind:" $2, $4, $6}'; }
printf '%-14s %10s %10s %10s %10s %9s %9s\n' layer pn_fwd pt_fwd pn_bwd pt_bwd fwd_ratio bwd_ratio
join -j1 -o 1.1,1.2,2.2,1.3,2.3 <(rows <<<"$p" | sort -k1,1) <(rows <<<"$t" | sort -k1,1) |
  awk '{printf "%-14s %10.2f %10.2f %10.2f %10.2f %9.2f %9.2f\n", $1, $2, $3, $4, $5, ($3 > 0 ? $2 / $3 : 0), ($5 > 0 ? $4 / $5 : 0)}' |
  sort -k1,1V
