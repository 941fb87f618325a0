#!/usr/bin/env bash
# Benchmark: dexlint lint against two baselines on the same export, in one run, on both shapes
# of export (Graph pages of 999 items; one file per collection).
#   bash bench/run.sh [USERS DEVICES GROUPS]     (default 200000 100000 5000)
#   RUNS=5 (best of, taken in turns)  GROWTH_RUNS=3  BENCH_MILLION=1 (growth up to 1M users)
#   GROWTH="25000 50000" (the growth table's user counts)
# Prints, for each shape: wall time and peak memory of dexlint (all cores, and 1 and 2
# threads on the one-file shape), of the parse-and-drop floor, of the hold-everything DOM
# baseline and of reading and checking every file (the least a reader that rejects malformed
# JSON does); their ratios; then the growth table (time and peak memory, 25k users up) and the
# startup-dominated time on the small example export.
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

export_for() { # SHAPE(paged|onefile) USERS DEVICES GROUPS -> directory
  local dir="$work/export-$1-$2-$3-$4" flag=""
  [ "$1" = onefile ] && flag=--single-file
  if [ ! -f "$dir/.done" ]; then
    rm -rf "$dir"
    "$gen" --users "$2" --devices "$3" --groups "$4" --page 999 $flag --out "$dir" >/dev/null
    touch "$dir/.done"
  fi
  echo "$dir"
}

# One run: "seconds peak_kb"
once() {
  /usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/time.txt"
}

# Whether time $1 beats the best so far, $2 (none yet: it does).
faster() { [ -z "$2" ] || awk "BEGIN{exit !($1 < $2)}"; }

# Files of the 1M-user one-file export pass the default 1 GiB limit: raise it for every run.
printf 'max-file-bytes = 4000000000\n' > "$work/dexlint.toml"
config="--config $work/dexlint.toml"

# The words of a measured command (paths have no spaces): NAME DIR.
cmd() {
  local report="$config --format json --output $work/report.json"
  case $1 in
    lint) echo "$bin lint $2 $report" ;;                          # all cores (2 here)
    lint1) echo "env RAYON_NUM_THREADS=1 $bin lint $2 $report" ;;
    lint2) echo "env RAYON_NUM_THREADS=2 $bin lint $2 $report" ;;
    floor) echo "$dom --drop $2" ;;                               # parse and drop, 2 threads
    check) echo "$dom --check $2" ;;                              # read and check, 2 threads
    dom) echo "$dom $2" ;;                                        # hold everything, all cores
  esac
}

# One shape: every command in turns, best of RUNS each.
shape() { # SHAPE
  local dir bytes files names n t m
  dir=$(export_for "$1" "$users" "$devices" "$groups")
  read -r bytes files < <(find "$dir" -type f -name '*.json' -printf '%s\n' |
    awk '{s += $1; n++} END {print s, n}')
  names=(lint floor dom check)
  [ "$1" = onefile ] && names+=(lint1 lint2)
  declare -A bt bm
  for _ in $(seq "${RUNS:-5}"); do
    for n in "${names[@]}"; do
      # shellcheck disable=SC2046
      read -r t m < <(once $(cmd "$n" "$dir"))
      if faster "$t" "${bt[$n]:-}"; then bt[$n]=$t; bm[$n]=$m; fi
    done
  done
  echo "== shape $1: $users users, $devices devices, $groups groups: $files files, $((bytes / 1000000)) MB"
  for n in "${names[@]}"; do printf '  %-6s %6s s, peak %8s KB\n' "$n" "${bt[$n]}" "${bm[$n]}"; done
  awk -v l="${bt[lint]}" -v f="${bt[floor]}" -v d="${bt[dom]}" -v lm="${bm[lint]}" \
    -v fm="${bm[floor]}" -v dm="${bm[dom]}" -v by="$bytes" -v l1="${bt[lint1]:-0}" \
    -v l2="${bt[lint2]:-0}" -v c="${bt[check]}" 'BEGIN {
    printf "  lint / floor (parse and drop, 2 threads): time %.2f\n", l / f;
    printf "  check / floor (read and check, nothing built): time %.2f; lint / check %.2f\n", c / f, l / c;
    printf "  lint / DOM baseline (hold everything):    time %.2f, memory %.2f\n", l / d, lm / dm;
    printf "  peak memory / export size: lint %.2f, floor %.2f, DOM %.2f\n", lm * 1024 / by, fm * 1024 / by, dm * 1024 / by;
    printf "  throughput: %.0f MB/s\n", by / 1e6 / l;
    if (l2 > 0) printf "  1 thread / 2 threads: %.2f\n", l1 / l2 }'
}

shape paged
shape onefile

echo "growth (users: seconds and peak KB, best of ${GROWTH_RUNS:-3}):"
sizes=${GROWTH:-25000 50000 100000 200000 400000}
[ -n "${BENCH_MILLION:-}" ] && sizes="$sizes 1000000"
for s in paged onefile; do
  for n in $sizes; do
    d=$(export_for "$s" "$n" $((n / 2)) $((n / 40)))
    bytes=$(find "$d" -type f -name '*.json' -printf '%s\n' | awk '{s += $1} END {print s}')
    best="" mem=""
    for _ in $(seq "${GROWTH_RUNS:-3}"); do
      # shellcheck disable=SC2086
      read -r t m < <(once "$bin" lint "$d" $config --format json --output "$work/growth.json")
      if faster "$t" "$best"; then best=$t; mem=$m; fi
    done
    awk -v s="$s" -v n="$n" -v t="$best" -v m="$mem" -v by="$bytes" 'BEGIN {
      printf "  %-8s %8d users %5d MB: %6.2f s, peak %8d KB (%.2f of the export)\n", s, n, by / 1e6, t, m, m * 1024 / by }'
  done
done

start=$(date +%s%N)
for _ in $(seq 20); do "$bin" lint examples/contoso $config --format json --output "$work/small.json" || true; done
end=$(date +%s%N)
echo "small example export (process start included): $(( (end - start) / 20000000 )) ms per run"

# A run leaves the work tree as it found it.
left=$(git status --porcelain --untracked-files=all -- bench)
if [ -n "$left" ]; then
  echo "bench/run.sh left files in the work tree:" >&2
  echo "$left" >&2
  exit 1
fi
