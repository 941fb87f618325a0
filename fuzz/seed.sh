#!/usr/bin/env bash
# Seeds the fuzz corpora from the project's fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p fuzz/corpus/policy fuzz/corpus/document fuzz/corpus/config
cp policies/*.policy tests/fixtures/policies/ok/*.policy tests/fixtures/policies/err/*.policy fuzz/corpus/policy/
i=0
find tests/fixtures/exports examples/contoso -name '*.json' -size -64k | sort | while read -r f; do
  i=$((i + 1)); cp "$f" "fuzz/corpus/document/$i.json"
done
printf 'fail-level = "warning"\ndisable = ["tag:licensing", "DEX1*"]\n[policy.DEX105]\nseverity = "error"\nparams = { e5_skus = ["SPE_E5"] }\n[[waiver]]\npolicy = "DEX302"\nentity = "cloud_accounts/*"\nreason = "sandbox"\nexpires = 2027-01-31\n' > fuzz/corpus/config/full.toml
printf 'exports = ["a"]\npolicies = ["p"]\ninclude = ["**/*.json"]\nexclude = ["x/**"]\nenable = ["DEX00*"]\n' > fuzz/corpus/config/paths.toml
