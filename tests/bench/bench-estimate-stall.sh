#!/usr/bin/env bash
# The stall other clients see while the proxy estimates the usage of a huge cut stream (issue 3 section
# 2: a stream that ends without usage is counted by the local tokenizer). A loopback upstream (Python,
# http.server) streams SIZE bytes of one character as 1,000-character chat deltas and then cuts the
# connection (no usage, no [DONE]); meanwhile another client sends small chat completions one at a time
# over a keep-alive connection. Prints that client's latency (p50, p99, max) before the cut and around it,
# and the cut stream's record (usage status, completion tokens). Figures, no pass/fail.
# Usage: tests/bench/bench-estimate-stall.sh BUILD_DIR|TOKENLEDGER_BINARY [SIZE_BYTES] [CHAR]
set -uo pipefail
ARG=${1:?usage: bench-estimate-stall.sh BUILD_DIR|BINARY [SIZE_BYTES] [CHAR]}
BIN=$ARG; [ -d "$ARG" ] && BIN="$ARG/app/tokenledger"
SIZE=${2:-7300000}
CHAR=${3:-x}
WORK=$(mktemp -d); trap 'kill $UP_PID $PROXY_PID 2>/dev/null; rm -rf "$WORK"' EXIT

cat > "$WORK/up.py" <<'PY'
import json, socket, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
SIZE, CHAR = int(sys.argv[2]), sys.argv[3]
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes
    def log_message(self, *a): pass
    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get('Content-Length', '0'))))
        if not req.get('stream'):
            out = json.dumps({"id": "c", "object": "chat.completion", "created": 1, "model": req['model'],
                              "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}}).encode()
            self.send_response(200); self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(out))); self.end_headers(); self.wfile.write(out)
            return
        self.send_response(200); self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Transfer-Encoding', 'chunked'); self.end_headers()
        chunk = json.dumps({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": req['model'],
                            "choices": [{"index": 0, "delta": {"content": CHAR * 1000}, "finish_reason": None}]},
                           separators=(',', ':'))
        ev = ("data: " + chunk + "\n\n").encode()
        frame = b'%x\r\n' % len(ev) + ev + b'\r\n'
        for _ in range(SIZE // 1000):
            self.wfile.write(frame)
        if req['model'] == 'complete':  # the control: the same stream ending properly, with its usage
            for ev in [{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": req['model'],
                        "choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": SIZE // 8, "total_tokens": 9 + SIZE // 8}}]:
                b = ("data: " + json.dumps(ev, separators=(',', ':')) + "\n\ndata: [DONE]\n\n").encode()
                self.wfile.write(b'%x\r\n' % len(b) + b + b'\r\n0\r\n\r\n')
            self.wfile.flush()
            return
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)  # cut: no usage, no [DONE], no last chunk
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
PY

cat > "$WORK/load.py" <<'PY'
import http.client, json, socket, sys, threading, time
port, model = int(sys.argv[1]), sys.argv[2]
small = json.dumps({"model": "gpt-4o-mini-2024-07-18", "messages": [{"role": "user", "content": "ping"}]})
lat = []  # (start, seconds)
stop = False
def steady():
    c = http.client.HTTPConnection('127.0.0.1', port)
    c.connect(); c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers and body: no Nagle wait
    while not stop:
        t = time.monotonic()
        c.request('POST', '/v1/chat/completions', small, {'Host': '127.0.0.1', 'Content-Type': 'application/json',
                                                          'Authorization': 'Bearer bench', 'X-TokenLedger-Endpoint': 'steady'})
        c.getresponse().read()
        lat.append((t, time.monotonic() - t))
th = threading.Thread(target=steady); th.start()
time.sleep(2.0)
cut_start = time.monotonic()
# The huge stream's client is another process (curl): a Python reader would hold this process's GIL
# while it decodes megabytes, and the steady client's latency would show that instead of the proxy's.
import subprocess
out = subprocess.run(['curl', '-s', '-N', '-o', '/dev/null', '-w', '%{size_download}', '-H', 'Host: 127.0.0.1',
                      '-H', 'Content-Type: application/json', '-H', 'Authorization: Bearer bench',
                      '-H', 'X-TokenLedger-Endpoint: huge-cut', '--data-binary',
                      json.dumps({"model": model, "stream": True,
                                  "messages": [{"role": "user", "content": "huge"}]}),
                      'http://127.0.0.1:%d/v1/chat/completions' % port], capture_output=True, text=True)
body = b'x' * int(out.stdout or 0)
cut_end = time.monotonic()
time.sleep(2.0)
stop = True; th.join()
def pct(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float('nan')
before = [l for t, l in lat if t < cut_start]
during = [l for t, l in lat if cut_start <= t <= cut_end + 0.5]
ms = lambda x: x * 1000
print("steady client before the huge stream: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms" %
      (len(before), ms(pct(before, 50)), ms(pct(before, 99)), ms(max(before))))
print("steady client while the huge stream ran and was estimated: n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms" %
      (len(during), ms(pct(during, 50)), ms(pct(during, 99)), ms(max(during))))
print("huge stream (%s): %d bytes received in %.2f s" % (model, len(body), cut_end - cut_start))
PY

PORT_UP=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 "$WORK/up.py" "$PORT_UP" "$SIZE" "$CHAR" & UP_PID=$!
HOME="$WORK" XDG_CONFIG_HOME="$WORK/config" "$BIN" proxy --db "$WORK/ledger.sqlite" --port 0 --no-cache \
    --upstream "openai=http://127.0.0.1:$PORT_UP/v1" > "$WORK/proxy.out" 2> "$WORK/proxy.err" & PROXY_PID=$!
for _ in $(seq 100); do
    [ -f "$WORK/proxy.out" ] || { sleep 0.1; continue; }
    PORT=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$WORK/proxy.out" | grep -o '[0-9]*$' | head -1)
    [ -n "$PORT" ] && break; sleep 0.1
done
[ -z "${PORT:-}" ] && { echo "proxy did not start"; cat "$WORK/proxy.err"; exit 1; }
echo "binary: $BIN; cut stream of $SIZE bytes of '$CHAR'; $(uptime | sed 's/.*load/load/')"
echo "-- control: the stream ends properly with its usage (no estimate)"
python3 "$WORK/load.py" "$PORT" complete
echo "-- the stream is cut (no usage: the local tokenizer estimates it)"
python3 "$WORK/load.py" "$PORT" gpt-4o-mini-2024-07-18
kill -INT $PROXY_PID; wait $PROXY_PID 2>/dev/null
sqlite3 "$WORK/ledger.sqlite" "SELECT 'cut record: error=' || error_kind || ' usage_status=' || usage_status || ' completion_tokens=' || completion_tokens || ' prompt_tokens=' || prompt_tokens FROM calls WHERE error_kind <> '' ;" 2>/dev/null \
    || echo "(sqlite3 not installed: records not shown)"
