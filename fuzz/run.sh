#!/usr/bin/env bash
# Runs every libFuzzer target in DIR (built by `make fuzz`) for SECONDS each, starting from its
# committed seed corpus fuzz/corpus/<target>/. New inputs go to a scratch corpus, so the committed one
# stays small. Stops with a non-zero exit at the first target that finds a crash, a leak, a sanitizer
# report, a timeout or an out-of-memory; the reproducer is left in the scratch folder it names.
# SKIP names targets not to run, each with an open finding recorded in fuzz/README.md.
#   usage: bash fuzz/run.sh build-fuzz/fuzz [SECONDS] ["target …"]
set -euo pipefail
dir=$(cd "${1:?usage: fuzz/run.sh DIR [SECONDS]}" && pwd)
seconds=${2:-60}
skip=" ${3:-} "
root=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$dir"/fuzz_*)
((${#targets[@]})) || { echo "fuzz/run.sh: no fuzz targets in $dir; run 'make fuzz'" >&2; exit 1; }
for bin in "${targets[@]}"; do
  name=$(basename "$bin")
  if [[ "$skip" == *" $name "* ]]; then echo "== $name: skipped (open finding, see fuzz/README.md)"; continue; fi
  seeds="$root/fuzz/corpus/$name"
  scratch=$(mktemp -d "/tmp/probenet_${name}_XXXX")
  mkdir "$scratch/corpus"
  echo "== $name: ${seconds}s from $(ls "$seeds" 2>/dev/null | wc -l) seeds (log, scratch corpus and any reproducer in $scratch)"
  (cd "$scratch" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
     "$scratch/corpus" "$seeds" 2>&1 | tee "$scratch/log" | grep -E "^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|^stat::peak_rss|ERROR|SUMMARY|Test unit written") \
    || { echo "fuzz/run.sh: $name failed (see above; reproducer in $scratch)" >&2; exit 1; }
done
echo "fuzz: every target that ran (${seconds}s each) ended without a finding"
