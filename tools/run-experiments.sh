#!/usr/bin/env bash
# Runs every experiment of `qpart experiment` on every bundled model (docs/experiments.md,
# docs/RESULTS.md). Output: results/experiments/NAME-MODEL[-variant]/ (report.html, CSV, JSON, SVG),
# then copies the figures the docs show into docs/results/ (FIGURES=0 skips the copy).
# About 3 minutes on the 2-core reference machine at a load average of 1 to 4; about 15 under heavy load.
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
  ./qpart experiment budget --model "$m" --cut 0 --out "$OUT/budget-$m-cut0" 2>/dev/null
  ./qpart experiment fading --model "$m" --out "$OUT/fading-$m"
  ./qpart experiment fading --model "$m" --channel wifi --head-held --out "$OUT/fading-$m-wifi-held"
done
if [ "${FIGURES:-1}" != 0 ] && [ -d "$OUT/budget-resnet" ] && [ -d "$OUT/channel-cnn-held" ] && [ -d "$OUT/fading-cnn-wifi-held" ]; then
  mkdir -p docs/results
  cp "$OUT/budget-resnet/payload.svg" docs/results/budget-resnet-payload.svg
  cp "$OUT/budget-resnet/measured-drop-zoom.svg" docs/results/budget-resnet-measured-drop-zoom.svg
  cp "$OUT/channel-cnn-held/cut.svg" docs/results/channel-cnn-held-cut.svg
  cp "$OUT/fading-cnn-wifi-held/ratio-ccdf.svg" docs/results/fading-cnn-wifi-held-ccdf.svg
  echo "copied 4 figures to docs/results/"
fi
