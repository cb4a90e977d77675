#!/usr/bin/env bash
# Builds the bundled calibration files and verified tables that `qpart serve --models models`
# and `qpart demo` use: for each model, `qpart calibrate` on 1,000 digits of the calibration
# split (seed 1), then `qpart table` verified on every digit of the calibration split.
# Writes models/<name>.cal.json and models/<name>.qpt. 6 min 50 s for all five on the 2-core
# machine, otherwise idle.
# Usage: bash tools/build-tables.sh [--samples N] [MODEL ...]   (default: 1000 digits; every bundled model)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SAMPLES=1000
if [ "${1:-}" = "--samples" ]; then SAMPLES="$2"; shift 2; fi
MODELS=("$@")
[ ${#MODELS[@]} -gt 0 ] || MODELS=(mlp cnn resnet dwcnn vit)
for m in "${MODELS[@]}"; do
  echo "== $m"
  ./qpart calibrate "models/$m.onnx" --data data/mnist-cal.npz --samples "$SAMPLES" --seed 1 --out "models/$m.cal.json" >/dev/null
  ./qpart table "models/$m.onnx" --calibration "models/$m.cal.json" --data data/mnist-cal.npz --out "models/$m.qpt" >/dev/null
done
