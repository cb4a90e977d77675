#!/usr/bin/env bash
# Evaluation throughput of every bundled model, whole and split at its middle cut, on the
# 2,000 test digits. Prints a Markdown table (samples/s; split as a ratio to whole, same run).
# Usage: bash tools/bench-eval.sh [REPEATS]   (best of REPEATS runs per row, default 3)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
REPEATS="${1:-3}"
best() { # best samples/s of REPEATS runs of: qpart eval ARGS --json
  local b=0 v
  for _ in $(seq "$REPEATS"); do
    v=$(./qpart eval "$@" --json 2>/dev/null | awk -F': ' '/"samplesPerSecond"/ {gsub(/[ ,]/, "", $2); print $2}')
    b=$(awk -v a="$b" -v c="$v" 'BEGIN {print (c > a) ? c : a}')
  done
  echo "$b"
}
echo "| model | cuts | middle cut | whole (samples/s) | split (samples/s) | split / whole |"
echo "|---|---|---|---|---|---|"
for m in mlp cnn resnet dwcnn vit; do
  [ -f "models/$m.onnx" ] || continue
  n=$(./qpart inspect "models/$m.onnx" --json | grep -c '"index"')
  mid=$(( (n - 1) / 2 ))
  w=$(best "models/$m.onnx" --data data/mnist-test.npz)
  s=$(best "models/$m.onnx" --data data/mnist-test.npz --cut "$mid")
  awk -v m="$m" -v n="$n" -v k="$mid" -v w="$w" -v s="$s" 'BEGIN {printf "| %s | %d | %d | %.0f | %.0f | %.2f |\n", m, n, k, w, s, s / w}'
done
