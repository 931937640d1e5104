#!/usr/bin/env bash
# Busy polling A/B (not a test): prints figures, asserts nothing. Usage: bench-busy-poll.sh BUILD_DIR
# Two `tokenledger proxy` processes on one nginx upstream (1 worker, a fixed OpenAI JSON body), one with
# busyPollUs A (TL_BENCH_BUSY_POLL_A, default 0: off) and one with B (TL_BENCH_BUSY_POLL_B, default 50), the
# upstream directly and the tcp-relay floor: one request at a time, interleaved block by block by
# `bench_proxy seqab` (20,000 requests each, 10 blocks), TL_BENCH_ROUNDS (3) rounds, with each proxy's CPU
# per round; then 32 connections of misses for 5 s through each, two rounds. docs/proxy.md "Busy polling".
set -uo pipefail
BUILD=${1:?usage: bench-busy-poll.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B="$BUILD/tests/bench/bench_proxy"
APP="$BUILD/app/tokenledger"
BPA=${TL_BENCH_BUSY_POLL_A:-0}; BPB=${TL_BENCH_BUSY_POLL_B:-50}
PB=${TL_BENCH_PORT_BASE:-18971} # BASE..BASE+3
UP=$PB; PA_PORT=$((PB + 1)); PB_PORT=$((PB + 2)); RELAY=$((PB + 3))
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)"; exit 1; }
TMP=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; nginx -p "$TMP" -c "$TMP/nginx.conf" -s stop 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/logs" "$TMP/ha" "$TMP/hb"
JSON=$(python3 -c "import json,sys;print(json.dumps(json.load(open(sys.argv[1])),separators=(',',':')))" "$ROOT/../shared/fixtures/providers/a1-openai-chat-completion-cached.json")
cat > "$TMP/nginx.conf" <<NGX
worker_processes 1; error_log $TMP/logs/error.log error; pid $TMP/nginx.pid; events { worker_connections 8192; }
http { access_log off; keepalive_requests 1000000; client_body_temp_path $TMP/body;
  server { listen 127.0.0.1:$UP backlog=4096; location / { default_type application/json; return 200 '$JSON'; } } }
NGX
nginx -p "$TMP" -c "$TMP/nginx.conf" || exit 1
"$B" relay 127.0.0.1 $RELAY 127.0.0.1 $UP > "$TMP/relay.out" 2>&1 &
pids+=("$!")
for x in a:$PA_PORT:$BPA b:$PB_PORT:$BPB; do IFS=: read -r n port bp <<< "$x"
  echo "{\"port\": $port, \"busyPollUs\": $bp, \"upstreams\": [{\"id\": \"openai\", \"kind\": \"openai\", \"baseUrl\": \"http://127.0.0.1:$UP/v1\"}]}" > "$TMP/$n.json"
done
HOME="$TMP/ha" "$APP" proxy --db "$TMP/a.sqlite" --config "$TMP/a.json" > "$TMP/a.out" 2>&1 &
PROXY_A=$!; pids+=("$PROXY_A")
HOME="$TMP/hb" "$APP" proxy --db "$TMP/b.sqlite" --config "$TMP/b.json" > "$TMP/b.out" 2>&1 &
PROXY_B=$!; pids+=("$PROXY_B")
for p in $PA_PORT $PB_PORT; do for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/v1/models" && break; sleep 0.1; done; done
MBODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the doc {n}"}]}'
AUTH='Authorization: Bearer sk-bench'
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # clock ticks (utime + stime)
HZ=$(getconf CLK_TCK)
echo "-- one request at a time: direct, busyPollUs=$BPA, busyPollUs=$BPB, tcp-relay; totals in us --"
for r in $(seq 1 "${TL_BENCH_ROUNDS:-3}"); do
  echo "round $r, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  a0=$(cpu $PROXY_A); b0=$(cpu $PROXY_B)
  "$B" seqab "$MBODY" 20000 10 "direct|127.0.0.1|$UP|/v1/chat/completions|$AUTH" \
    "busyPollUs=$BPA|127.0.0.1|$PA_PORT|/v1/chat/completions|$AUTH|X-TokenLedger-Cache: bypass" \
    "busyPollUs=$BPB|127.0.0.1|$PB_PORT|/v1/chat/completions|$AUTH|X-TokenLedger-Cache: bypass" \
    "tcp-relay|127.0.0.1|$RELAY|/v1/chat/completions|$AUTH"
  awk -v a=$(( $(cpu $PROXY_A) - a0 )) -v b=$(( $(cpu $PROXY_B) - b0 )) -v hz="$HZ" -v x="$BPA" -v y="$BPB" \
    'BEGIN { printf "proxy process CPU this round: busyPollUs=%s %.2f s, busyPollUs=%s %.2f s\n", x, a / hz, y, b / hz }'
done
echo "-- 32 connections of misses, 5 s each --"
for r in 1 2; do
  for x in "$BPA:$PROXY_A:$PA_PORT" "$BPB:$PROXY_B:$PB_PORT"; do IFS=: read -r bp pid port <<< "$x"
    c0=$(cpu "$pid")
    out=$("$B" load 127.0.0.1 "$port" /v1/chat/completions "$MBODY" 5 32 "$AUTH" "X-TokenLedger-Cache: bypass")
    req=$(echo "$out" | tr ' ' '\n' | sed -n 's/^requests=//p')
    awk -v c=$(( $(cpu "$pid") - c0 )) -v n="${req:-0}" -v hz="$HZ" -v o="$out" -v bp="$bp" \
      'BEGIN { printf "busyPollUs=%s %s cpu_us_per_req=%.1f\n", bp, o, (n > 0 ? c * 1e6 / hz / n : 0) }'
  done
done
kill -INT $PROXY_A $PROXY_B; wait $PROXY_A $PROXY_B 2>/dev/null
