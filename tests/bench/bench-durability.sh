#!/usr/bin/env bash
# Durability benchmark (not a test): `kill -9` of `tokenledger proxy` under load, then what the ledger
# kept (issue 3 section 7: integrity_check ok, at most the last 250 ms of records missing). Prints
# figures, asserts nothing. Usage: bench-durability.sh BUILD_DIR
# Per mode (hit: exact-cache hits; miss: distinct requests forwarded to a loopback nginx) it runs
# TL_BENCH_DURABILITY_RUNS (default 3) fresh proxies, each killed after TL_BENCH_DURABILITY_SECONDS
# (default 2) of load from TL_BENCH_CONNS (default 32) connections, and prints each run and the median
# lost window. TL_BENCH_WRITER_NICE=N renices the proxy's ledger-writer thread.
set -uo pipefail
BUILD=${1:?usage: bench-durability.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP="$BUILD/app/tokenledger"
B="$BUILD/tests/bench/bench_durability"
RUNS=${TL_BENCH_DURABILITY_RUNS:-3}
SECS=${TL_BENCH_DURABILITY_SECONDS:-2}
CONNS=${TL_BENCH_CONNS:-32}
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)"; exit 1; }
TMP=$(mktemp -d)
cleanup() { [ -n "${PROXY_PID:-}" ] && kill -9 "$PROXY_PID" 2>/dev/null; nginx -p "$TMP" -c "$TMP/nginx.conf" -s stop 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

NGINX_PORT=18911; PROXY_PORT=18912
JSON=$(python3 -c "import json,sys;print(json.dumps(json.load(open(sys.argv[1])),separators=(',',':')))" "$ROOT/../shared/fixtures/providers/a1-openai-chat-completion-cached.json")
mkdir -p "$TMP/logs"
cat > "$TMP/nginx.conf" <<NGX
worker_processes 1;
error_log $TMP/logs/error.log error;
pid $TMP/nginx.pid;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path $TMP/body;
  server { listen 127.0.0.1:$NGINX_PORT; location / { default_type application/json; return 200 '$JSON'; } } }
NGX
nginx -p "$TMP" -c "$TMP/nginx.conf" || { echo "nginx did not start"; exit 1; }
echo "{\"port\": $PROXY_PORT, \"upstreams\": [{\"id\": \"openai\", \"kind\": \"openai\", \"baseUrl\": \"http://127.0.0.1:$NGINX_PORT/v1\"}]}" > "$TMP/proxy.json"

for mode in hit miss; do
  windows=()
  for run in $(seq 1 "$RUNS"); do
    rm -f "$TMP"/ledger.sqlite*
    env HOME="$TMP" "$APP" proxy --db "$TMP/ledger.sqlite" --config "$TMP/proxy.json" > "$TMP/proxy.out" 2>&1 &
    PROXY_PID=$!
    for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/v1/models" && break; sleep 0.1; done
    # TL_BENCH_WRITER_NICE=N: renice the ledger-writer thread (Linux), as in bench-proxy.sh, to see what a
    # lower scheduling weight for the writer does to the loss bound.
    if [ -n "${TL_BENCH_WRITER_NICE:-}" ]; then
      for t in /proc/$PROXY_PID/task/*; do
        [ "$(cat "$t/comm")" = ledger-writer ] && renice -n "$TL_BENCH_WRITER_NICE" -p "$(basename "$t")" >/dev/null
      done
    fi
    line=$("$B" --port "$PROXY_PORT" --pid "$PROXY_PID" --db "$TMP/ledger.sqlite" --connections "$CONNS" --seconds "$SECS" --mode "$mode")
    wait "$PROXY_PID" 2>/dev/null; PROXY_PID=
    echo "  run $run: $line (load $(cut -d' ' -f1 /proc/loadavg))"
    windows+=("$(sed -n 's/.*lost window \([0-9.]*\) ms.*/\1/p' <<<"$line")")
  done
  printf '%s\n' "${windows[@]}" | sort -n | awk -v m="$mode" '{a[NR]=$1} END { printf "durability %s: median lost window %.1f ms over %d runs (target <= 250 ms)\n", m, a[int((NR+1)/2)], NR }'
done
