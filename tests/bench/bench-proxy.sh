#!/usr/bin/env bash
# Proxy benchmark (not a test): prints figures, asserts nothing. Usage: bench-proxy.sh BUILD_DIR
# A real upstream (nginx, one worker, a fixed OpenAI JSON body and a fixed SSE body on 127.0.0.1),
# the same load sent directly and through `tokenledger proxy`, and through `npx @portkey-ai/gateway`
# when it installs. Env: TL_BENCH_SECONDS (load duration, default 5), TL_BENCH_STREAMS (default 1000),
# TL_BENCH_HOLD_REQUESTS (streaming requests timed while the streams are held open, default 300),
# TL_BENCH_PROXY_ENV (extra environment for the proxy process, e.g. TOKENLEDGER_PROXY_DISPATCHER=qt to
# run the proxy thread on Qt's own event dispatcher instead of the epoll one, and QT_NO_GLIB=1 with it
# for Qt's poll dispatcher instead of the GLib one), TL_BENCH_WRITER_NICE (renice the ledger writer thread).
# Peer in the same run: nginx-proxy, a second nginx (its own prefix and process, 1 worker) as a keep-alive
# reverse proxy to the same upstream: what a minimal C proxy adds on this machine. The one-at-a-time phase
# sends to direct, proxy and nginx-proxy in turn, TL_BENCH_SEQ_ROUNDS (default 10) blocks each.
# Floor in the same run: tcp-relay (`bench_proxy relay`), a one-thread epoll TCP relay that copies bytes
# between a client and its own upstream connection, one read and one write, nothing parsed: what one more
# process on the path costs on this machine whatever the proxy does (its kernel and scheduler share). It
# joins the one-at-a-time and the paced phases. tcp-relay-spin, the same relay busy polling for
# TL_BENCH_BUSY_POLL_US (default 50, the proxy's default busyPollUs, which the run's proxy gets too; 0 turns it
# off in both) after traffic, joins the one-at-a-time phase: the floor of a busy-polling proxy.
# Paced streams: `bench_proxy paced-upstream` sends TL_BENCH_PACED_EVENTS (100) events per stream,
# TL_BENCH_PACED_INTERVAL_MS (10) apart, each stamped with its send time; TL_BENCH_PACED_STREAMS ("100 1000")
# concurrent streams, started evenly over TL_BENCH_PACED_RAMP_MS (default: the interval), directly, through the
# proxy, through nginx-proxy (proxy_buffering off) and through tcp-relay in turn, TL_BENCH_PACED_PAIRS (3)
# rounds: per-event delay and gap growth.
set -uo pipefail
BUILD=${1:?usage: bench-proxy.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B="$BUILD/tests/bench/bench_proxy"
APP="$BUILD/app/tokenledger"
SECS=${TL_BENCH_SECONDS:-5}
STREAMS=${TL_BENCH_STREAMS:-1000}
CONNS=${TL_BENCH_CONNS:-32}
HOLD_N=${TL_BENCH_HOLD_REQUESTS:-300}
SEQ_ROUNDS=${TL_BENCH_SEQ_ROUNDS:-10}
# 100 events (1 s a stream), not 20: the proxy admits 1,000 stream requests at a few hundred us each, so with
# 200 ms streams the first ones ended before the last ones started and 1,000 never flowed at once.
PACED_EVENTS=${TL_BENCH_PACED_EVENTS:-100}
PACED_INTERVAL=${TL_BENCH_PACED_INTERVAL_MS:-10}
PACED_STREAMS=${TL_BENCH_PACED_STREAMS:-100 1000}
PACED_RAMP=${TL_BENCH_PACED_RAMP_MS:-$PACED_INTERVAL}
PACED_PAIRS=${TL_BENCH_PACED_PAIRS:-3}
# TL_BENCH_PHASES: which phases run, of "seq load stream paced hold portkey" (all by default), e.g.
# TL_BENCH_PHASES=paced with TL_BENCH_PACED_INTERVAL_MS=50 for the paced streams alone at another event rate.
# A phase left out prints nothing; each phase's figures need only that phase, except Portkey's added
# latency, which subtracts direct's from the seq phase (meaningless without it).
PHASES=" ${TL_BENCH_PHASES:-seq load stream paced hold portkey} "
on() { [[ "$PHASES" == *" $1 "* ]]; }
command -v nginx >/dev/null || { echo "nginx is not installed (apt-get install nginx)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n 8192 2>/dev/null || true
TMP=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; nginx -p "$TMP" -c "$TMP/nginx.conf" -s stop 2>/dev/null
            nginx -p "$TMP/np" -c "$TMP/np/nginx.conf" -s stop 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# TL_BENCH_PORT_BASE (default 18901): the eight ports used are BASE..BASE+7 (two runs at once need other bases).
PB=${TL_BENCH_PORT_BASE:-18901}
NGINX_PORT=$PB; PROXY_PORT=$((PB + 1)); PORTKEY_PORT=$((PB + 2)); NGINXP_PORT=$((PB + 3)); PACED_PORT=$((PB + 4))
RELAY_PORT=$((PB + 5)); PACED_RELAY_PORT=$((PB + 6)); SPIN_RELAY_PORT=$((PB + 7))
JSON=$(grep -v '^#' /dev/null; python3 -c "import json,sys;print(json.dumps(json.load(open(sys.argv[1])),separators=(',',':')))" "$ROOT/../shared/fixtures/providers/a1-openai-chat-completion-cached.json")
SSE=$(grep -v '^#' "$ROOT/../shared/fixtures/providers/b-openai-chat-stream-include-usage.sse" | python3 -c "import sys;print(repr(sys.stdin.read())[1:-1].replace(\"'\", \"\\\\'\"))")
mkdir -p "$TMP/logs"
cat > "$TMP/nginx.conf" <<NGX
worker_processes 1;
error_log $TMP/logs/error.log error;
pid $TMP/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/body;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    # ?hold=1: the same events trickled (the first 600 bytes at once, then 32 bytes/s, about 45 s), so a
    # stream stays open for the streams-held phase.
    location /stream/ { default_type text/event-stream; if (\$arg_hold) { limit_rate_after 600; limit_rate 32; }
                        return 200 '$SSE'; }
    location / { default_type application/json; return 200 '$JSON'; }
  }
}
NGX
nginx -p "$TMP" -c "$TMP/nginx.conf" || { echo "nginx did not start"; exit 1; }
# The nginx-proxy peer: a separate nginx (own prefix, pid and process) proxying to the upstream nginx over
# kept-alive HTTP/1.1 connections, as TokenLedger does.
mkdir -p "$TMP/np/logs"
cat > "$TMP/np/nginx.conf" <<NGX
worker_processes 1;
error_log $TMP/np/logs/error.log error;
pid $TMP/np/nginx.pid;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/np/body;
  proxy_temp_path $TMP/np/proxy;
  upstream up { server 127.0.0.1:$NGINX_PORT; keepalive 64; keepalive_requests 1000000; }
  upstream paced { server 127.0.0.1:$PACED_PORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NGINXP_PORT backlog=4096;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
    # The paced-stream peer: events passed on as they arrive (no response buffering).
    location /paced/ { proxy_pass http://paced/; proxy_http_version 1.1; proxy_set_header Connection "";
                       proxy_buffering off; }
  }
}
NGX
nginx -p "$TMP/np" -c "$TMP/np/nginx.conf" || { echo "nginx (nginx-proxy peer) did not start"; exit 1; }
NPW=$(pgrep -P "$(cat "$TMP/np/nginx.pid")" | head -1) # its one worker process
# The paced upstream of the paced-stream phase (C++ on epoll: see ProxyBench.cpp for why not Node.js).
"$B" paced-upstream 127.0.0.1 $PACED_PORT "$PACED_EVENTS" "$PACED_INTERVAL" > "$TMP/paced.out" 2>&1 &
pids+=("$!")
# The tcp-relay floor: one to the nginx upstream, one to the paced upstream.
"$B" relay 127.0.0.1 $RELAY_PORT 127.0.0.1 $NGINX_PORT > "$TMP/relay.out" 2>&1 &
pids+=("$!")
"$B" relay 127.0.0.1 $PACED_RELAY_PORT 127.0.0.1 $PACED_PORT > "$TMP/paced-relay.out" 2>&1 &
pids+=("$!")
# The busy-polling floor (one at a time only): the same relay polling for the proxy's busyPollUs after traffic.
BUSY_POLL_US=${TL_BENCH_BUSY_POLL_US:-50}
"$B" relay 127.0.0.1 $SPIN_RELAY_PORT 127.0.0.1 $NGINX_PORT "$BUSY_POLL_US" > "$TMP/relay-spin.out" 2>&1 &
pids+=("$!")

cat > "$TMP/proxy.json" <<CFG
{"port": $PROXY_PORT, "busyPollUs": $BUSY_POLL_US, "upstreams": [
  {"id": "openai", "kind": "openai", "baseUrl": "http://127.0.0.1:$NGINX_PORT/v1"},
  {"id": "streamer", "kind": "openai-compatible", "priceProvider": "openai", "baseUrl": "http://127.0.0.1:$NGINX_PORT/stream/v1"},
  {"id": "paced", "kind": "openai-compatible", "priceProvider": "openai", "baseUrl": "http://127.0.0.1:$PACED_PORT/v1"}]}
CFG
env HOME="$TMP" ${TL_BENCH_PROXY_ENV:-} "$APP" proxy --db "$TMP/ledger.sqlite" --config "$TMP/proxy.json" > "$TMP/proxy.out" 2>&1 &
PROXY_PID=$!; pids+=("$PROXY_PID")
for i in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/v1/models" && break; sleep 0.1; done
# TL_BENCH_WRITER_NICE=N: renice the proxy's ledger-writer thread to N (Linux) for an A/B of how much the
# writer's CPU, which the proxy thread, nginx and the client share on 2 cores, moves the figures.
if [ -n "${TL_BENCH_WRITER_NICE:-}" ]; then
  for t in /proc/$PROXY_PID/task/*; do
    [ "$(cat "$t/comm")" = ledger-writer ] && renice -n "$TL_BENCH_WRITER_NICE" -p "$(basename "$t")" >/dev/null \
      && echo "ledger-writer thread $(basename "$t") reniced to $TL_BENCH_WRITER_NICE"
  done
fi

# CPU time of the proxy process (all threads, user+system) per request of a phase: the figure to judge
# a change by on a shared machine, where wall-clock latency moves with the other load (see uptime).
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14+$15}' "/proc/$PROXY_PID/stat"; }
# ... and of its proxy thread alone (the one that serves every request: what bounds the RPS).
# In ns from schedstat (time on a CPU), not in clock ticks: a phase of a few hundred requests or events uses
# only a few 10 ms ticks.
thread_ns() { for t in /proc/$PROXY_PID/task/*; do [ "$(cat "$t/comm")" = tokenledger-pro ] && awk '{print $1}' "$t/schedstat"; done | head -1; }
# ... and of the ledger writer's thread (records, their savings-trace fields, SQLite): the CPU the proxy thread,
# the upstream and the clients do not get on a 2-core machine.
writer_ns() { for t in /proc/$PROXY_PID/task/*; do [ "$(cat "$t/comm")" = ledger-writer ] && awk '{print $1}' "$t/schedstat"; done | head -1; }
# withcpu PHASE CMD...: runs a bench_proxy phase against the proxy and appends proxy_cpu_us_per_req to its
# line. TL_BENCH_SYSCALLS=1 also counts the proxy's system calls (perf stat, all threads) and appends
# proxy_syscalls_per_req; TL_BENCH_PERF=DIR records a call-graph profile of each phase to DIR/PHASE.data
# (perf record -g, or TL_BENCH_PERF_CALLGRAPH="--call-graph dwarf" for stacks through libraries built
# without frame pointers; read with perf report -i). Both perturb the figures a little: leave them off for the
# figures themselves.
PERF_DIR=${TL_BENCH_PERF:-}
[ -n "$PERF_DIR" ] && mkdir -p "$PERF_DIR"
# WITHCPU_LINE=NAME: the output has one line per target (seqab); the figures go on the line "NAME ...".
withcpu() {
  local phase=$1; shift
  local c0 out c1 n sc_pid= rec_pid= sc=
  if [ "${TL_BENCH_SYSCALLS:-0}" = 1 ]; then
    perf stat -x, -e raw_syscalls:sys_enter -p "$PROXY_PID" -o "$TMP/sc.$phase" 2>/dev/null & sc_pid=$!
  fi
  if [ -n "$PERF_DIR" ]; then
    perf record -q ${TL_BENCH_PERF_CALLGRAPH:--g} -p "$PROXY_PID" -o "$PERF_DIR/$phase.data" 2>/dev/null & rec_pid=$!
  fi
  [ -n "$sc_pid$rec_pid" ] && sleep 0.5
  local t0 t1 w0 w1
  c0=$(cpu_ticks); t0=$(thread_ns); w0=$(writer_ns); out=$("$@"); c1=$(cpu_ticks); t1=$(thread_ns); w1=$(writer_ns)
  for p in $sc_pid $rec_pid; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [ -n "$sc_pid" ] && sc=$(grep -m1 'raw_syscalls' "$TMP/sc.$phase" | cut -d, -f1)
  awk -v o="$out" -v sel="${WITHCPU_LINE:-}" -v c=$((c1 - c0)) -v th=$((${t1:-0} - ${t0:-0})) -v wr=$((${w1:-0} - ${w0:-0})) -v t="$TICK" -v sc="$sc" \
    'BEGIN { k = split(o, L, "\n")
             for (i = 1; i <= k; i++) {
               line = L[i]; n = 0
               if ((sel == "" && i == 1) || (sel != "" && index(line, sel " ") == 1))
                 if (match(line, /(requests|streams)=[0-9]+/)) { n = substr(line, RSTART, RLENGTH); sub(/.*=/, "", n); n += 0 }
               if (n > 0) { printf "%s proxy_cpu_us_per_req=%.1f proxy_thread_us_per_req=%.1f writer_thread_us_per_req=%.1f",
                                   line, c * 1e6 / t / n, th / 1e3 / n, wr / 1e3 / n;
                            if (sc != "") printf " proxy_syscalls_per_req=%.2f", sc / n; printf "\n" }
               else print line } }'
}
BODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the doc"}]}'
# Cache-miss phases send MBODY: bench_proxy puts a request counter in place of {n}, so no two requests carry
# the same bytes (since session 9; before, every miss repeated one body, which the proxy's memos by exact bytes
# flattered). The hits phase repeats BODY, as hits do.
MBODY='{"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the doc {n}"}]}'
SBODY='{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
AUTH='Authorization: Bearer sk-bench'
NOCACHE='X-TokenLedger-Cache: bypass'
echo "upstream: nginx $(nginx -v 2>&1 | sed 's/.*\///'), 1 worker; proxy: tokenledger proxy (1 worker thread + ledger writer); peer: nginx-proxy (a second nginx, 1 worker, keep-alive proxy_pass); ${SECS}s load, $CONNS connections"
val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# The proxy's peak resident memory so far (VmHWM), after each phase: which phase sets the run's peak.
hwm() { echo "proxy RSS peak after $1: $(awk '/^VmHWM/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$PROXY_PID/status")"; }
if on seq; then
echo "-- one request at a time (20,000 requests each, keep-alive; direct, proxy, nginx-proxy, tcp-relay and tcp-relay-spin in turn, $SEQ_ROUNDS blocks each) --"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
SEQ=$(WITHCPU_LINE=proxy withcpu seq "$B" seqab "$MBODY" 20000 "$SEQ_ROUNDS" "direct|127.0.0.1|$NGINX_PORT|/v1/chat/completions|$AUTH" \
      "proxy|127.0.0.1|$PROXY_PORT|/v1/chat/completions|$AUTH|$NOCACHE" "nginx-proxy|127.0.0.1|$NGINXP_PORT|/v1/chat/completions|$AUTH" \
      "tcp-relay|127.0.0.1|$RELAY_PORT|/v1/chat/completions|$AUTH" "tcp-relay-spin|127.0.0.1|$SPIN_RELAY_PORT|/v1/chat/completions|$AUTH")
D=$(echo "$SEQ" | sed -n 's/^direct //p'); P=$(echo "$SEQ" | sed -n 's/^proxy //p'); NP=$(echo "$SEQ" | sed -n 's/^nginx-proxy //p')
TR=$(echo "$SEQ" | sed -n 's/^tcp-relay //p'); TRS=$(echo "$SEQ" | sed -n 's/^tcp-relay-spin //p')
[ -n "$D" ] || echo "$SEQ"
echo "direct        $D"
echo "proxy (miss)  $P"
echo "nginx-proxy   $NP"
echo "tcp-relay     $TR"
echo "tcp-relay-spin $TRS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
added() { # LABEL PEER_LINE: PEER - direct at p50 and p99
  awk -v l="$1" -v a="$(val "$2" p50_us)" -v b="$(val "$D" p50_us)" -v c="$(val "$2" p99_us)" -v d="$(val "$D" p99_us)" \
    'BEGIN { printf "%s: p50 %.1f us, p99 %.1f us\n", l, a-b, c-d }'
}
added "added latency" "$P"
added "nginx-proxy added latency" "$NP"
added "tcp-relay added latency (the floor)" "$TR"
added "tcp-relay-spin added latency (the floor with busy polling for ${BUSY_POLL_US} us)" "$TRS"
fi
if on load; then
echo "-- throughput ($CONNS connections, ${SECS}s) --"
echo "direct        $("$B" load 127.0.0.1 $NGINX_PORT /v1/chat/completions "$MBODY" "$SECS" "$CONNS" "$AUTH")"
echo "proxy (miss)  $(withcpu miss "$B" load 127.0.0.1 $PROXY_PORT /v1/chat/completions "$MBODY" "$SECS" "$CONNS" "$AUTH" "$NOCACHE")"
hwm misses
echo "nginx-proxy   $("$B" load 127.0.0.1 $NGINXP_PORT /v1/chat/completions "$MBODY" "$SECS" "$CONNS" "$AUTH")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s -o /dev/null -H "$AUTH" -H 'Content-Type: application/json' -d "$BODY" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions"
echo "proxy (hit)   $(withcpu hit "$B" load 127.0.0.1 $PROXY_PORT /v1/chat/completions "$BODY" "$SECS" "$CONNS" "$AUTH")"
hwm hits
fi
if on stream; then
echo "-- streaming: $STREAMS concurrent SSE streams --"
SD=$("$B" stream 127.0.0.1 $NGINX_PORT /stream/v1/chat/completions "$SBODY" "$STREAMS" "$AUTH"); echo "direct        $SD"
SP=$(withcpu stream "$B" stream 127.0.0.1 $PROXY_PORT /v1/chat/completions "$SBODY" "$STREAMS" "$AUTH" "$NOCACHE" 'X-TokenLedger-Upstream: streamer'); echo "proxy         $SP"
# The burst's TTFB is mostly queueing (STREAMS requests arrive at once on one proxy thread); what the proxy
# adds to one stream's TTFB is measured below with STREAMS streams held open, under the same
# concurrency directly and through the proxy.
awk -v a="$(val "$SP" ttfb_p50_ms)" -v b="$(val "$SD" ttfb_p50_ms)" -v c="$(val "$SP" ttfb_p99_ms)" -v d="$(val "$SD" ttfb_p99_ms)" \
  'BEGIN { printf "burst TTFB added: p50 %.1f ms, p99 %.1f ms\n", a-b, c-d }'
hwm "the 1,000-stream burst"
fi
if on paced; then
PACED_T0=$SECONDS
echo "-- paced streams: $PACED_EVENTS events per stream ${PACED_INTERVAL} ms apart, stamped with their send time; started over ${PACED_RAMP} ms; direct, proxy, nginx-proxy and tcp-relay in turn, $PACED_PAIRS rounds --"
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
# cpu_busy_ticks: the machine's busy and total clock ticks (all CPUs, /proc/stat): how much of the 2 cores a
# paced run leaves idle (at 1,000 streams no side leaves any: the per-event delays then are run-queue waits).
cpu_busy_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
paced_run() { # direct|proxy|nginx-proxy|tcp-relay STREAMS: one paced run's line, with machine_busy_pct appended
  local b0 b1 line; b0=$(cpu_busy_ticks); line=$(paced_side "$@"); b1=$(cpu_busy_ticks)
  echo "$line machine_busy_pct=$(echo "$b0 $b1" | awk '{ printf "%.1f", ($4 > $2 ? 100 * ($3 - $1) / ($4 - $2) : 0) }')"
}
paced_side() {
  case $1 in
    direct) "$B" paced 127.0.0.1 $PACED_PORT /v1/chat/completions "$SBODY" "$2" "$PACED_RAMP" "$AUTH" ;;
    proxy) withcpu "paced$2" "$B" paced 127.0.0.1 $PROXY_PORT /v1/chat/completions "$SBODY" "$2" "$PACED_RAMP" "$AUTH" "$NOCACHE" \
             'X-TokenLedger-Upstream: paced' ;;
    nginx-proxy) # with the CPU time of nginx-proxy's worker per stream (schedstat, as the proxy thread's figure)
      local w0 w1 out; w0=$(awk '{print $1}' "/proc/$NPW/schedstat")
      out=$("$B" paced 127.0.0.1 $NGINXP_PORT /paced/v1/chat/completions "$SBODY" "$2" "$PACED_RAMP" "$AUTH")
      w1=$(awk '{print $1}' "/proc/$NPW/schedstat")
      echo "$out nginx_worker_us_per_req=$(awk -v w=$((w1 - w0)) -v n="$2" 'BEGIN { printf "%.1f", w / 1e3 / n }')" ;;
    tcp-relay) "$B" paced 127.0.0.1 $PACED_RELAY_PORT /v1/chat/completions "$SBODY" "$2" "$PACED_RAMP" "$AUTH" ;;
  esac
}
for S in $PACED_STREAMS; do
  pd=(); pp=(); pn=(); pr=()
  for r in $(seq 1 "$PACED_PAIRS"); do
    # The first of the four rotates from round to round.
    order=(direct proxy nginx-proxy tcp-relay); order=("${order[@]:$(( (r - 1) % 4 ))}" "${order[@]:0:$(( (r - 1) % 4 ))}")
    for who in "${order[@]}"; do
      X=$(paced_run "$who" "$S"); printf '%-12s %s\n' "$who" "$X"
      case $who in direct) pd+=("$X") ;; proxy) pp+=("$X") ;; nginx-proxy) pn+=("$X") ;; tcp-relay) pr+=("$X") ;; esac
    done
  done
  # EXPR over a (proxy), b (direct), n (nginx-proxy) and r (tcp-relay) of one round, for each round; then their
  # median. A round where a figure it needs is n/a (no steady-state events) is left out; n/a when none is left.
  med() { local m; m=$(for i in "${!pp[@]}"; do awk -v a="$(val "${pp[$i]}" "$1")" -v b="$(val "${pd[$i]}" "$1")" \
            -v n="$(val "${pn[$i]}" "$1")" -v r="$(val "${pr[$i]}" "$1")" "BEGIN { e = \"$2\"; if ((e ~ /a/ && a == \"n/a\") ||
              (e ~ /b/ && b == \"n/a\") || (e ~ /n/ && n == \"n/a\") || (e ~ /r/ && r == \"n/a\")) exit; print $2 }"; done | median)
          echo "${m:-n/a}"; }
  echo "paced $S streams (medians of $PACED_PAIRS rounds): every stream flowing after: direct $(med all_started_ms b) ms," \
       "proxy $(med all_started_ms a) ms, nginx-proxy $(med all_started_ms n) ms, tcp-relay $(med all_started_ms r) ms; steady-state events (sent while all" \
       "$S flowed): direct $(med ss_events b), proxy $(med ss_events a), nginx-proxy $(med ss_events n), tcp-relay $(med ss_events r); the upstream's sent gap" \
       "p50 / p99 (asked: $PACED_INTERVAL ms): direct $(med sent_gap_p50_ms b) / $(med sent_gap_p99_ms b) ms, proxy" \
       "$(med sent_gap_p50_ms a) / $(med sent_gap_p99_ms a) ms, nginx-proxy $(med sent_gap_p50_ms n) / $(med sent_gap_p99_ms n) ms," \
       "tcp-relay $(med sent_gap_p50_ms r) / $(med sent_gap_p99_ms r) ms"
  echo "paced $S streams, steady state: per-event delay p50 / p99 / max: direct $(med ss_delay_p50_us b) /" \
       "$(med ss_delay_p99_us b) / $(med ss_delay_max_us b) us, proxy $(med ss_delay_p50_us a) / $(med ss_delay_p99_us a) /" \
       "$(med ss_delay_max_us a) us, nginx-proxy $(med ss_delay_p50_us n) / $(med ss_delay_p99_us n) / $(med ss_delay_max_us n) us," \
       "tcp-relay $(med ss_delay_p50_us r) / $(med ss_delay_p99_us r) / $(med ss_delay_max_us r) us"
  echo "paced $S streams, steady state: added delay (each round's - direct) p50 / p99: proxy $(med ss_delay_p50_us a-b) /" \
       "$(med ss_delay_p99_us a-b) us, nginx-proxy $(med ss_delay_p50_us n-b) / $(med ss_delay_p99_us n-b) us, tcp-relay" \
       "$(med ss_delay_p50_us r-b) / $(med ss_delay_p99_us r-b) us"
  # When a side falls behind, its events arrive bunched (most gaps shrink) and the gap growth p99 can even be
  # negative: read it with the delay and the max.
  echo "paced $S streams, steady state: gap growth p99 (max): direct $(med ss_gap_growth_p99_us b) ($(med ss_gap_growth_max_us b)) us," \
       "proxy $(med ss_gap_growth_p99_us a) ($(med ss_gap_growth_max_us a)) us, nginx-proxy $(med ss_gap_growth_p99_us n)" \
       "($(med ss_gap_growth_max_us n)) us, tcp-relay $(med ss_gap_growth_p99_us r) ($(med ss_gap_growth_max_us r)) us"
  # The target's figure (issue 3 section 7: at most 100 us): each round's gap growth p99 less direct's, then the median.
  echo "paced $S streams, steady state: gap growth p99 over direct: proxy $(med ss_gap_growth_p99_us a-b) us," \
       "nginx-proxy $(med ss_gap_growth_p99_us n-b) us, tcp-relay $(med ss_gap_growth_p99_us r-b) us"
  echo "paced $S streams, all events (the streams' admission included): delay p99: direct $(med delay_p99_us b) us, proxy" \
       "$(med delay_p99_us a) us, nginx-proxy $(med delay_p99_us n) us, tcp-relay $(med delay_p99_us r) us; gap growth p99: direct" \
       "$(med gap_growth_p99_us b) us, proxy $(med gap_growth_p99_us a) us, nginx-proxy $(med gap_growth_p99_us n) us, tcp-relay" \
       "$(med gap_growth_p99_us r) us"
  echo "paced $S streams: the machine's CPU busy over each run (both cores; median): direct $(med machine_busy_pct b) %," \
       "proxy $(med machine_busy_pct a) %, nginx-proxy $(med machine_busy_pct n) %, tcp-relay $(med machine_busy_pct r) %"
  per_event() { for x in "$@"; do awk -v c="$(val "$x" "$FIELD")" -v s="$(val "$x" streams)" -v e="$(val "$x" events)" \
                  'BEGIN { if (e > 0) printf "%.1f\n", c * s / e }'; done | median; }
  echo "paced $S streams: CPU per event (its request's share included): proxy thread $(FIELD=proxy_thread_us_per_req per_event "${pp[@]}") us," \
       "nginx-proxy worker $(FIELD=nginx_worker_us_per_req per_event "${pn[@]}") us"
  echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
hwm "the paced streams"
echo "(paced phase: $((SECONDS - PACED_T0)) s; whole run so far: $SECONDS s)"
fi
if on hold; then
echo "-- $STREAMS streams held open, then $HOLD_N streaming requests one at a time (TTFB) --"
HD=$("$B" hold 127.0.0.1 $NGINX_PORT '/stream/v1/chat/completions?hold=1' /stream/v1/chat/completions "$SBODY" "$STREAMS" "$HOLD_N" 0 "$AUTH")
echo "direct        $HD"
HP=$("$B" hold 127.0.0.1 $PROXY_PORT '/v1/chat/completions?hold=1' /v1/chat/completions "$SBODY" "$STREAMS" "$HOLD_N" "$PROXY_PID" "$AUTH" "$NOCACHE" 'X-TokenLedger-Upstream: streamer')
echo "proxy         $HP"
awk -v a="$(val "$HP" ttfb_p50_us)" -v b="$(val "$HD" ttfb_p50_us)" -v c="$(val "$HP" ttfb_p99_us)" -v d="$(val "$HD" ttfb_p99_us)" -v r="$(val "$HP" rss_kib)" \
  'BEGIN { printf "stream TTFB added with streams open: p50 %.1f us, p99 %.1f us; proxy RSS with them open: %.1f MiB\n", a-b, c-d, r/1024 }'
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "proxy RSS: $(grep -E 'VmHWM|VmRSS' /proc/$PROXY_PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"
kill -INT "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null
echo "records written: $(sqlite3 "$TMP/ledger.sqlite" 'select count(*) from calls' 2>/dev/null), answered: $(sed -n 's/.*stopped after \([0-9]*\) requests.*/\1/p' "$TMP/proxy.out")"

echo "(proxy phases: $SECONDS s)"
on portkey && echo "-- peer: @portkey-ai/gateway (npx) --"
if ! on portkey; then :
elif [ "${TL_BENCH_SKIP_PORTKEY:-0}" != 1 ] && (cd "$TMP" && timeout 300 npx -y @portkey-ai/gateway --port=$PORTKEY_PORT --headless > "$TMP/portkey.log" 2>&1 &
     echo $! > "$TMP/portkey.pid"; for i in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$PORTKEY_PORT/" && exit 0; sleep 0.5; done; exit 1); then
  pids+=("$(cat "$TMP/portkey.pid")")
  PKPID=$(pgrep -n -f "node.*port=$PORTKEY_PORT")
  [ -n "$PKPID" ] && pids+=("$PKPID") # npx does not pass the stop on to the gateway's node process
  PK="x-portkey-custom-host: http://127.0.0.1:$NGINX_PORT/v1"
  K=$("$B" seq 127.0.0.1 $PORTKEY_PORT /v1/chat/completions "$MBODY" 5000 "$AUTH" 'x-portkey-provider: openai' "$PK"); echo "portkey seq   $K"
  awk -v a="$(val "$K" p50_us)" -v b="$(val "$D" p50_us)" -v c="$(val "$K" p99_us)" -v d="$(val "$D" p99_us)" \
    'BEGIN { printf "portkey added latency: p50 %.1f us, p99 %.1f us\n", a-b, c-d }'
  echo "portkey load  $("$B" load 127.0.0.1 $PORTKEY_PORT /v1/chat/completions "$MBODY" "$SECS" "$CONNS" "$AUTH" 'x-portkey-provider: openai' "$PK")"
  [ -n "$PKPID" ] && echo "portkey RSS: $(grep -E 'VmRSS' /proc/$PKPID/status | tr -s ' \t' ' ')"
else
  echo "portkey did not start (npx @portkey-ai/gateway); see its log:"; tail -5 "$TMP/portkey.log" 2>/dev/null
fi
