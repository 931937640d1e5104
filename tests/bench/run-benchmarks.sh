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

# --- memory after bursts: RSS after 1,000-stream rounds, after the release of freed memory, with 1,000 held ---
section "memory after bursts (RSS of one proxy; docs/proxy.md \"Memory after bursts\")"
run "$ROOT/tests/bench/bench-rss-after-bursts.sh" "$BUILD"

# --- busy polling: the proxy with busyPollUs 0 and 50 side by side, one request at a time and under load ---
section "busy polling (two proxies, busyPollUs 0 and 50, interleaved; docs/proxy.md \"Busy polling\")"
run "$ROOT/tests/bench/bench-busy-poll.sh" "$BUILD"

# --- durability: kill -9 of the proxy under exact-cache-hit and miss load; the lost window (<= 250 ms) ---
section "durability (tokenledger proxy killed with SIGKILL under load; lost window per mode)"
run "$ROOT/tests/bench/bench-durability.sh" "$BUILD"

# --- semantic cache: local embedder, index exact vs HNSW at 1k/10k/100k entries, cache reopen ---
section "semantic cache (core/semantic: LocalEmbedder, SemanticIndex exact vs HNSW, SemanticCache)"
run "$BENCH/bench_semantic" --max "${TL_BENCH_SEMANTIC_MAX:-100000}"

# --- simulator: 1M records, every strategy, against a bare scan of the same rows ---
section "simulator (core/simulate: 1M records, all strategies; peer: SUM(cost) scan)"
run "$BENCH/bench_simulator" --records "${TL_BENCH_SIM_RECORDS:-1000000}" --runs 5

# --- ledger: ingest and queries over 10M records, cold start and idle memory of the dashboard ---
section "ledger (10M records: ingest, breakdown and time-series p95, cold start, idle memory)"
LEDGER_DB=${TL_BENCH_LEDGER_DB:-/tmp/tokenledger-bench-10m.sqlite}
rm -f "$LEDGER_DB" "$LEDGER_DB-wal" "$LEDGER_DB-shm"
run "$BENCH/bench_ledger" --records "${TL_BENCH_RECORDS:-10000000}" --db "$LEDGER_DB" --queries 40
# Cold start (GUI path through TOKENLEDGER_STARTUP_TRACE, and the screenshot command) and idle memory.
run "$ROOT/tests/bench/startup-figures.sh" "$BUILD" "$LEDGER_DB" 5
rm -f "$LEDGER_DB" "$LEDGER_DB-wal" "$LEDGER_DB-shm"

exit $status
