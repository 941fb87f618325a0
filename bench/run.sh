#!/usr/bin/env bash
# Benchmark: dexlint lint against a bare DOM parse of the same export, in one run.
#   bash bench/run.sh [USERS DEVICES GROUPS]     (default 200000 100000 5000)
# Prints wall time and peak memory of both, their ratio, throughput, the linear-growth
# check (25k → 200k users) and the startup-dominated time on the small example export.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-200000}; devices=${2:-100000}; groups=${3:-5000}
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"
cargo build --release --quiet --bin dexlint --example gen-export
# The baseline is its own crate: it gets serde_json without dexlint's `preserve_order`.
cargo build --release --quiet --manifest-path bench/dom-baseline/Cargo.toml \
  --target-dir target/dom-baseline
bin=target/release/dexlint
gen=target/release/examples/gen-export
dom=target/dom-baseline/release/dom-baseline

export_for() { # USERS DEVICES GROUPS -> directory
  local dir="$work/export-$1-$2-$3"
  [ -d "$dir" ] || "$gen" --users "$1" --devices "$2" --groups "$3" --out "$dir" >/dev/null
  echo "$dir"
}

# One run: "seconds peak_kb"
once() {
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time.txt"
}

# Whether time $1 beats the best so far, $2 (none yet: it does).
faster() { [ -z "$2" ] || awk "BEGIN{exit !($1 < $2)}"; }

# Best of RUNS (default 5): "seconds peak_kb"
measure() {
  local best="" mem="" t m
  for _ in $(seq "${RUNS:-5}"); do
    read -r t m < <(once "$@")
    if faster "$t" "$best"; then best=$t; mem=$m; fi
  done
  echo "$best $mem"
}

big=$(export_for "$users" "$devices" "$groups")
read -r bytes files < <(find "$big" -type f -name '*.json' -printf '%s\n' |
  awk '{s += $1; n++} END {print s, n}')
# dexlint and the baseline take turns, so that both see the same machine (best of RUNS each).
lt="" bt=""
for _ in $(seq "${RUNS:-5}"); do
  read -r t m < <(once "$bin" lint "$big" --format json --output "$work/report.json")
  if faster "$t" "$lt"; then lt=$t; lm=$m; fi
  read -r t m < <(once "$dom" "$big")
  if faster "$t" "$bt"; then bt=$t; bm=$m; fi
done
echo "export: $users users, $devices devices, $groups groups: $files files, $((bytes / 1000000)) MB"
echo "dexlint lint:       ${lt} s, peak ${lm} KB"
echo "DOM parse baseline: ${bt} s, peak ${bm} KB"
awk -v l="$lt" -v b="$bt" -v lm="$lm" -v bm="$bm" -v by="$bytes" 'BEGIN {
  printf "ratio (lint / baseline): time %.2f, memory %.2f\n", l / b, lm / bm;
  printf "peak memory / export size: %.2f\n", lm * 1024 / by;
  printf "throughput: %.0f MB/s\n", by / 1e6 / l }'

echo "growth (users, seconds):"
for n in 25000 50000 100000 200000; do
  d=$(export_for "$n" $((n / 2)) $((n / 40)))
  read -r t _ < <(measure "$bin" lint "$d" --format json --output "$work/growth.json")
  echo "  $n $t"
done

start=$(date +%s%N)
for _ in $(seq 20); do "$bin" lint examples/contoso --format json --output "$work/small.json" || true; done
end=$(date +%s%N)
echo "small example export (process start included): $(( (end - start) / 20000000 )) ms per run"
