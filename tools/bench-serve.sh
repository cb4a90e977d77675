#!/usr/bin/env bash
# Serving benchmark (docs/BENCHMARKS.md): starts 'qpart serve' on a free loopback port, then for
# each model runs 'qpart loadtest' (N concurrent devices, no channel emulation, next to in-process
# split inference of the same configuration in the same run), and stops the server.
# Usage: tools/bench-serve.sh [--devices N] [--seconds S] [--repeat R] [--batch B] [MODEL[:CUT]...]   (default: mlp cnn cnn:2 resnet vit)
# --batch B: B samples per request on both sides (loadtest --batch); default 1. --models DIR: serve another folder.
# --event-loops N: passed to 'qpart serve' (0: a virtual thread per connection); default: one per processor.
# --device-threads loop|platform|virtual, --device-loops N: how loadtest carries the devices (default: loop, one selector thread per core).
# MODEL:CUT forces the cut (the planner picks cut 0 for these models on a phone over LTE).
# --device-policy batch|normal: scheduling policy of the load test's process (default: batch where chrt is installed).
#   On loopback the emulated devices share the server's cores; under SCHED_BATCH their wake-ups do not
#   preempt the server's loops in the middle of a round (real devices run on hardware of their own).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEVICES=32 SECONDS_=10 REPEAT=1 BATCH=1 MODELS=() SERVE_ARGS=() LOAD_ARGS=() POLICY=batch
MODEL_DIR="$ROOT/models"
while [ $# -gt 0 ]; do
  case "$1" in
    --devices) DEVICES="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --models) MODEL_DIR="$2"; shift 2 ;;
    --event-loops) SERVE_ARGS+=(--event-loops "$2"); shift 2 ;;
    --device-threads|--device-loops) LOAD_ARGS+=("$1" "$2"); shift 2 ;;
    --device-policy) POLICY="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) MODELS+=("$1"); shift ;;
  esac
done
[ ${#MODELS[@]} -gt 0 ] || MODELS=(mlp cnn cnn:2 resnet vit)
LOADER=()
case "$POLICY" in
  batch)
    if command -v chrt >/dev/null 2>&1 && chrt -b 0 true 2>/dev/null; then LOADER=(chrt -b 0)
    else echo "# chrt is missing or refused SCHED_BATCH: the load test runs under the normal policy" >&2; POLICY=normal; fi ;;
  normal) ;;
  *) echo "--device-policy must be batch or normal; found '$POLICY'" >&2; exit 2 ;;
esac
OUT="$(mktemp -d)"
"$ROOT/qpart" --version >/dev/null   # builds the jar first if needed
"$ROOT/qpart" serve --models "$MODEL_DIR" --port 0 "${SERVE_ARGS[@]}" >"$OUT/serve.out" 2>"$OUT/serve.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 1 300); do
  [ -s "$OUT/serve.out" ] && break
  kill -0 $SERVER 2>/dev/null || { cat "$OUT/serve.err" >&2; exit 1; }
  sleep 0.2
done
URL="$(head -1 "$OUT/serve.out" | sed 's/^listening on //')"
echo "# server $URL; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); load test under the $POLICY scheduling policy"
# one short unrecorded pass over every configuration first: the server's JIT compiles the paths
# that the measured runs then use (the first run after a start otherwise measures compilation)
for spec in "${MODELS[@]}"; do
  m="${spec%%:*}"
  cut=()
  [ "$m" != "$spec" ] && cut=(--cut "${spec#*:}")
  "${LOADER[@]}" "$ROOT/qpart" loadtest --server "$URL" --models "$MODEL_DIR" --model "$m" "${cut[@]}" --devices "$DEVICES" --batch "$BATCH" "${LOAD_ARGS[@]}" \
    --seconds 3 --warmup 2 --data "$ROOT/data/mnist-test.npz" >/dev/null
done
for spec in "${MODELS[@]}"; do
  m="${spec%%:*}"
  cut=()
  [ "$m" != "$spec" ] && cut=(--cut "${spec#*:}")
  for r in $(seq 1 "$REPEAT"); do
    echo "## $spec (run $r of $REPEAT)"
    "${LOADER[@]}" "$ROOT/qpart" loadtest --server "$URL" --models "$MODEL_DIR" --model "$m" "${cut[@]}" --devices "$DEVICES" --batch "$BATCH" "${LOAD_ARGS[@]}" \
      --seconds "$SECONDS_" --data "$ROOT/data/mnist-test.npz"
  done
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
