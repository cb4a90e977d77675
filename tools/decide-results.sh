#!/usr/bin/env bash
# Issue-5 results: for every bundled model and each accuracy budget, compare QPART with every
# baseline at the full-local cut, planned from the bundled table models/<model>.qpt (built by
# tools/build-tables.sh: calibration on 1,000 digits of the calibration split, table verified on
# all 2,000 of them); the measured drop is on the test split. A budget with no verified entry at
# that cut is shown as such (the plan falls back to full offload). Prints Markdown tables.
# Usage: bash tools/decide-results.sh [MODEL ...]   (default: every bundled model)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT=results/decide
mkdir -p "$OUT"
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(mlp cnn resnet dwcnn vit)
field() { awk -F': ' -v k="\"$1\"" '$1 ~ k {gsub(/[ ,]/, "", $2); print $2; exit}'; }
for m in "${MODELS[@]}"; do
  [ -f "models/$m.qpt" ] || bash tools/build-tables.sh "$m" >&2
  last=$(( $(./qpart inspect "models/$m.onnx" --json | grep -c '"index"') - 1 ))
  echo
  echo "### $m (full-local cut $last)"
  echo
  echo "| budget | strategy | head bytes | % of float32 | activation bits | predicted drop (pp) | measured drop on test (pp) |"
  echo "|---|---|---|---|---|---|---|"
  for d in 0.001 0.0025 0.005 0.01 0.02; do
    printf '{"model": "%s", "maxAccuracyDrop": %s, "device": "phone", "channel": "lte"}\n' "$m" "$d" > "$OUT/query.json"
    for s in qpart uniform8 uniform-min sqnr partition-only; do
      j=$(./qpart plan --table "models/$m.qpt" --query "$OUT/query.json" --strategy "$s" --cut "$last" --verify \
          --model "models/$m.onnx" --data data/mnist-test.npz --json 2>/dev/null) || { echo "| $d | $s | infeasible | | | | |"; continue; }
      if [ "$(echo "$j" | field fallback)" = "true" ]; then
        awk -v d="$d" -v s="$s" 'BEGIN {printf "| %.2f%% | %s | no verified entry: full offload | | | | |\n", 100*d, s}'; continue
      fi
      down=$(echo "$j" | field downloadBytes); fp=$(echo "$j" | field fp32DownloadBytes)
      ab=$(echo "$j" | field activationBits); pd=$(echo "$j" | field predictedDrop); md=$(echo "$j" | field measuredDrop)
      awk -v d="$d" -v s="$s" -v down="$down" -v fp="$fp" -v ab="$ab" -v pd="$pd" -v md="$md" \
        'BEGIN {printf "| %.2f%% | %s | %d | %.2f%% | %s | %.2f | %.2f |\n", 100*d, s, down, 100*down/fp, ab, 100*pd, 100*md}'
    done
  done
done
