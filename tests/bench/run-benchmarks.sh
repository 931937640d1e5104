#!/usr/bin/env bash
# Runs every benchmark of tests/bench and prints its figures (no pass/fail). Usage:
#   tests/bench/run-benchmarks.sh BUILD_DIR
# To add a benchmark: build it from tests/bench/CMakeLists.txt and append one section below
# (a `section` line, then the command). Sections run in order; a failing one is reported and the
# others still run.
set -uo pipefail
BUILD=${1:?usage: run-benchmarks.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$BUILD/tests/bench"
status=0

section() { printf '\n=== %s ===\n' "$1"; }
run() { "$@" || { echo "(benchmark failed with exit code $?)"; status=1; }; }

# --- tokenizer: count MB/s vs npm tiktoken (needs `npm ci` in tests/tokenizer/oracle) ---
section "tokenizer (core/tokenizer vs npm tiktoken 1.0.22)"
if [ -f "$ROOT/tests/tokenizer/oracle/package-lock.json" ] && [ ! -d "$ROOT/tests/tokenizer/oracle/node_modules" ]; then
  (cd "$ROOT/tests/tokenizer/oracle" && npm ci --no-audit --no-fund --loglevel=error)
fi
run "$BENCH/bench_tokenizer" "${TL_BENCH_SECONDS:-2}"

# --- proxy: added latency, throughput, cache hits, streams and RSS; nginx as upstream; Portkey as peer ---
section "proxy (core/proxy through tokenledger proxy; nginx upstream; @portkey-ai/gateway peer)"
run "$ROOT/tests/bench/bench-proxy.sh" "$BUILD"

exit $status
