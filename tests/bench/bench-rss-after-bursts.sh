#!/usr/bin/env bash
# Memory after bursts (not a test): prints figures, asserts nothing. Usage: bench-rss-after-bursts.sh BUILD_DIR
# One `tokenledger proxy`: its RSS fresh; with TL_BENCH_PRE=1 (default) after TL_BENCH_PRE_ROUNDS (3) rounds of 1,000
# paced streams (bench_proxy paced-upstream, 100 events 10 ms apart) and again 2 s later (the release of freed
# memory after a burst, docs/proxy.md "Memory after bursts", happens in between); then with 1,000 trickled
# streams held open (nginx, 32 bytes/s) as bench-proxy.sh's streams-held phase. VmRSS and VmHWM each time.
set -uo pipefail
BUILD=${1:?usage: bench-rss-after-bursts.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B="$BUILD/tests/bench/bench_proxy"
APP="$BUILD/app/tokenledger"
PB=${TL_BENCH_PORT_BASE:-18991} # BASE..BASE+2
NGINX_PORT=$PB; PROXY_PORT=$((PB + 1)); PACED_PORT=$((PB + 2))
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
TMP=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; nginx -p "$TMP" -c "$TMP/nginx.conf" -s stop 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/logs" "$TMP/home"
SSE=$(grep -v '^#' "$ROOT/../shared/fixtures/providers/b-openai-chat-stream-include-usage.sse" | python3 -c "import sys;print(repr(sys.stdin.read())[1:-1].replace(\"'\", \"\\\\'\"))")
cat > "$TMP/nginx.conf" <<NGX
worker_processes 1; error_log $TMP/logs/error.log error; pid $TMP/nginx.pid; events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path $TMP/body;
  server { listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location /stream/ { default_type text/event-stream; if (\$arg_hold) { limit_rate_after 600; limit_rate 32; } return 200 '$SSE'; } } }
NGX
nginx -p "$TMP" -c "$TMP/nginx.conf" || exit 1
"$B" paced-upstream 127.0.0.1 $PACED_PORT 100 10 > "$TMP/paced.out" 2>&1 &
pids+=("$!")
cat > "$TMP/proxy.json" <<CFG
{"port": $PROXY_PORT, "upstreams": [
  {"id": "streamer", "kind": "openai-compatible", "priceProvider": "openai", "baseUrl": "http://127.0.0.1:$NGINX_PORT/stream/v1"},
  {"id": "paced", "kind": "openai-compatible", "priceProvider": "openai", "baseUrl": "http://127.0.0.1:$PACED_PORT/v1"}]}
CFG
HOME="$TMP/home" "$APP" proxy --db "$TMP/ledger.sqlite" --config "$TMP/proxy.json" > "$TMP/proxy.out" 2>&1 &
PROXY_PID=$!; pids+=("$PROXY_PID")
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/v1/models" && break; sleep 0.1; done
SBODY='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
AUTH='Authorization: Bearer sk-bench'
rss() { awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$PROXY_PID/status"; echo; }
echo "fresh proxy: $(rss)"
if [ "${TL_BENCH_PRE:-1}" = 1 ]; then
  for _ in $(seq 1 "${TL_BENCH_PRE_ROUNDS:-3}"); do
    "$B" paced 127.0.0.1 $PROXY_PORT /v1/chat/completions "$SBODY" 1000 10 "$AUTH" "X-TokenLedger-Cache: bypass" \
      'X-TokenLedger-Upstream: paced' > /dev/null
  done
  echo "after ${TL_BENCH_PRE_ROUNDS:-3} rounds of 1,000 paced streams: $(rss)"
  sleep 2
  echo "2 s later: $(rss)"
fi
HP=$("$B" hold 127.0.0.1 $PROXY_PORT '/v1/chat/completions?hold=1' /v1/chat/completions "$SBODY" 1000 50 "$PROXY_PID" "$AUTH" \
     "X-TokenLedger-Cache: bypass" 'X-TokenLedger-Upstream: streamer')
echo "1,000 streams held: $(echo "$HP" | tr ' ' '\n' | grep -E '^(opened|still_open)=' | tr '\n' ' ')$(rss)"
kill -INT $PROXY_PID; wait $PROXY_PID 2>/dev/null
