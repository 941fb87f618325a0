#!/usr/bin/env bash
# outputs.sh DEXLINT OUTDIR: writes what dexlint prints for every fixture export, the example,
# and every policy test export, in every format, plus list/explain/check/test, one file per
# run (stdout, stderr and exit code). Two runs compared with `diff -r` show any change of
# behaviour (used to check that a refactoring changes no output).
set -u
dex=$(realpath "$1"); out=$2
cd "$(dirname "$0")/.."
rm -rf "$out"; mkdir -p "$out"
run() { # NAME ARGS...
  local name=$1; shift
  NO_COLOR=1 COLUMNS=100 "$dex" "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo "exit $?" >>"$out/$name.out"
}
exports=(examples/contoso tests/fixtures/exports/* policies/tests/*/*/export)
for e in "${exports[@]}"; do
  [ -d "$e" ] || continue
  key=$(echo "$e" | tr '/' '_')
  for f in human json sarif junit github azure; do
    run "lint-$key-$f" lint "$e" --format "$f"
  done
done
run list list
run list-json list --format json
for p in policies/*.policy; do
  id=$(basename "$p" .policy)
  run "explain-$id" explain "$id"
done
run check check policies/*.policy
run test test policies
