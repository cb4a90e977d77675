#!/usr/bin/env bash
# Runs every experiment of `qpart experiment` on every bundled model (docs/experiments.md,
# docs/RESULTS.md). Output: results/experiments/NAME-MODEL[-variant]/ (report.html, CSV, JSON, SVG).
# About 6 minutes on the 2-core reference machine, most of it measuring drops for `budget`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-results/experiments}"
MODELS="${MODELS:-mlp cnn resnet dwcnn vit}"
for m in $MODELS; do
  ./qpart experiment partition --model "$m" --out "$OUT/partition-$m"
  ./qpart experiment partition --model "$m" --channel wifi --head-held --out "$OUT/partition-$m-wifi-held"
  ./qpart experiment channel --model "$m" --out "$OUT/channel-$m"
  ./qpart experiment channel --model "$m" --head-held --out "$OUT/channel-$m-held"
  ./qpart experiment device --model "$m" --head-held --out "$OUT/device-$m-held"
  ./qpart experiment budget --model "$m" --out "$OUT/budget-$m" 2>/dev/null
  ./qpart experiment fading --model "$m" --out "$OUT/fading-$m"
  ./qpart experiment fading --model "$m" --channel wifi --head-held --out "$OUT/fading-$m-wifi-held"
done
