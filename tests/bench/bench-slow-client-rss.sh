#!/usr/bin/env bash
# Proxy memory towards a client that does not read (issue 3 section 7, flow control): a loopback
# upstream (Python, http.server) answers a 50 MB chat completion, streamed (1,000-byte events) and as
# one JSON body; a raw client with a 4 KiB receive buffer sends the request and reads nothing for
# HOLD seconds. Prints the proxy's resident set before, its peak (VmHWM) while the client does not read,
# the CPU the proxy used meanwhile, then what a client that reads everything gets, and the records.
# Figures, no pass/fail. Usage: tests/bench/bench-slow-client-rss.sh BUILD_DIR|TOKENLEDGER_BINARY [HOLD_SECONDS]
set -uo pipefail
ARG=${1:?usage: bench-slow-client-rss.sh BUILD_DIR|BINARY [HOLD_SECONDS]}
BIN=$ARG; [ -d "$ARG" ] && BIN="$ARG/app/tokenledger"
HOLD=${2:-12}
SIZE=50000000
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

cat > "$WORK/up.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
BIG = int(sys.argv[2])
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get('Content-Length', '0'))))
        usage = {"prompt_tokens": 5, "completion_tokens": BIG // 4, "total_tokens": 5 + BIG // 4}
        try:
            if req.get('stream'):
                self.send_response(200); self.send_header('Content-Type', 'text/event-stream')
                self.send_header('Transfer-Encoding', 'chunked'); self.end_headers()
                def w(s):
                    b = s.encode(); self.wfile.write(b'%x\r\n' % len(b) + b + b'\r\n')
                chunk = json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": req['model'],
                                    "choices": [{"index": 0, "delta": {"content": "x" * 1000}, "finish_reason": None}]}, separators=(',', ':'))
                for _ in range(BIG // 1000): w("data: " + chunk + "\n\n")
                w("data: " + json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": req['model'],
                                         "choices": [], "usage": usage}, separators=(',', ':')) + "\n\n")
                w("data: [DONE]\n\n"); self.wfile.write(b'0\r\n\r\n')
            else:
                out = json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": req['model'],
                                  "choices": [{"index": 0, "message": {"role": "assistant", "content": "y" * BIG}, "finish_reason": "stop"}],
                                  "usage": usage}).encode()
                self.send_response(200); self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
        except Exception as e:
            print('upstream write failed:', e, flush=True)
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY

cat > "$WORK/noread.py" <<'PY'
import socket, sys, json, time
port, stream, hold = int(sys.argv[1]), sys.argv[2] == 'true', float(sys.argv[3])
body = json.dumps({"model": "gpt-4o-mini-2024-07-18", "stream": stream,
                   "messages": [{"role": "user", "content": "noread %f" % time.time()}]}).encode()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', port))
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-TokenLedger-Endpoint: noread\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
time.sleep(hold)
s.close()
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for STREAM in true false; do
  PU=$(free_port); PP=$(free_port)
  python3 "$WORK/up.py" "$PU" "$SIZE" > "$WORK/up.log" 2>&1 & UP=$!
  "$BIN" proxy --db "$WORK/ledger-$STREAM.sqlite" --port "$PP" --no-cache --upstream "openai=http://127.0.0.1:$PU/v1" \
    > "$WORK/proxy.log" 2>&1 & PX=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PP") 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  base=$(kb $PX VmRSS); c0=$(ticks $PX)
  python3 "$WORK/noread.py" "$PP" "$STREAM" "$HOLD"
  c1=$(ticks $PX); peak=$(kb $PX VmHWM)
  reader=$(curl -s -N -o /dev/null -w '%{http_code} %{size_download} bytes %{time_total} s' -H 'Content-Type: application/json' \
    -d "{\"model\":\"gpt-4o-mini-2024-07-18\",\"stream\":$STREAM,\"messages\":[{\"role\":\"user\",\"content\":\"read all\"}]}" \
    "http://127.0.0.1:$PP/v1/chat/completions")
  peak2=$(kb $PX VmHWM)
  kill -INT $PX; wait $PX; kill $UP; wait $UP 2>/dev/null
  printf 'stream=%-5s 50 MB answer | RSS before %6d KiB | peak while the client reads nothing (%ss) %7d KiB | proxy CPU meanwhile %d ticks | reading client: %s, peak after %7d KiB | load %s\n' \
    "$STREAM" "$base" "$HOLD" "$peak" "$((c1 - c0))" "$reader" "$peak2" "$(cut -d' ' -f1-3 /proc/loadavg)"
  sqlite3 "$WORK/ledger-$STREAM.sqlite" "select '  record ' || id || ': error_kind=' || quote(error_kind) || ' usage_status=' || usage_status || ' completion_tokens=' || completion_tokens || ' response_bytes=' || response_bytes from calls order by id"
done
