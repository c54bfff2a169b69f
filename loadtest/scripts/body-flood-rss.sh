#!/usr/bin/env bash
# Memory of one `gateway.jar serve` process under hostile uploads on the public port, read from
# /proc/<pid>/status (VmRSS) and the node's /metrics (Netty's direct memory, the in-flight body
# budget), before, at the peak (sampled every 50 ms) and after each phase:
#   A. 150 clients without a key each declare 4,194,000 bytes, send what the socket takes, and
#      stall; meanwhile 20 legitimate requests must all be answered 200.
#   B. 200 clients with a valid key each send a whole 4,194,000-byte body at once.
# Bounded: the stallers get 20 s in all to be answered, every other socket 20 s; the script takes
# about a minute.
#
#   loadtest/scripts/body-flood-rss.sh gateway/target/gateway.jar
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres; a database is created and dropped), curl and
# python3 (JAVA, default: java on the PATH, 21+). GATEWAY_JAVA_OPTS sets the gateway JVM's options
# (default: -Xmx1g -XX:MaxDirectMemorySize=256m, the setting under which unbounded bodies failed
# legitimate requests with OutOfDirectMemoryError).
set -euo pipefail
GJAR=$(realpath "${1:?gateway.jar}")
JAVA=${JAVA:-java}
DB=bodyflood_$$_$RANDOM
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000)); ADMIN=$((PORT + 1)); BACKEND=$((PORT + 2))
TOKEN=body-flood-admin-token-$RANDOM$RANDOM
export GATEWAY_DB_URL=jdbc:postgresql://127.0.0.1:5432/$DB GATEWAY_DB_USER=postgres
export GATEWAY_HTTP_PORT=$PORT GATEWAY_ADMIN_PORT=$ADMIN GATEWAY_ADMIN_TOKEN=$TOKEN
export GATEWAY_BACKEND_URL=http://127.0.0.1:$BACKEND GATEWAY_METERING_JOURNAL_DIRECTORY=$WORK/journal

cleanup() {
    if [ -n "${GW:-}" ]; then kill "$GW" 2>/dev/null || true; wait "$GW" 2>/dev/null || true; fi
    if [ -n "${BE:-}" ]; then kill "$BE" 2>/dev/null || true; wait "$BE" 2>/dev/null || true; fi
    dropdb -h 127.0.0.1 -U postgres --if-exists --force "$DB" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

createdb -h 127.0.0.1 -U postgres "$DB"
"$JAVA" -jar "$GJAR" migrate >/dev/null
psql -h 127.0.0.1 -U postgres -d "$DB" -q -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO api_products (name, display_name, price_per_1k_tokens, base_price_usd, endpoints, required_scopes, required_subscription_tier)
VALUES ('ai.chat', 'Chat', 0.002, 0, '{/v1/chat/completions}', '{ai.chat}', 'free');
INSERT INTO ai_models (name, type, pricing) VALUES
       ('dalsi-ai', 'text', '{"input_per_1k": 0.0005, "output_per_1k": 0.0015}');
SQL
# A minimal backend: reads the request, answers one small chat completion.
python3 - "$BACKEND" >"$WORK/backend.log" 2>&1 <<'PY' &
import http.server, sys
ANSWER = b'{"id":"x","object":"chat.completion","model":"dalsi-ai","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
BE=$!
# shellcheck disable=SC2086
"$JAVA" ${GATEWAY_JAVA_OPTS:--Xmx1g -XX:MaxDirectMemorySize=256m} -jar "$GJAR" serve >"$WORK/gateway.log" 2>&1 &
GW=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$ADMIN/health/ready" >/dev/null && break; sleep 0.5; done

api() { curl -fs -X POST "http://127.0.0.1:$ADMIN$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$2"; }
USER_ID=$(api /admin/users '{"email":"flood@example.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
KEY=$(api /admin/keys "{\"user_id\":\"$USER_ID\",\"name\":\"k\",\"scopes\":[\"ai.chat\"],\"rate_limit_per_minute\":100000,\"rate_limit_per_hour\":100000,\"rate_limit_per_day\":100000}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

python3 - "$PORT" "$ADMIN" "$GW" "$KEY" <<'PY'
import socket, sys, threading, time, urllib.request
PORT, ADMIN, PID, KEY = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
N = 4_194_000
PRE, POST = b'{"model":"dalsi-ai","messages":[{"role":"user","content":"', b'"}]}'
BODY = PRE + b"a" * (N - len(PRE) - len(POST)) + POST
MIB = 1024 * 1024

def rss():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0

def metric(prefix, must=""):
    text = urllib.request.urlopen(f"http://127.0.0.1:{ADMIN}/metrics", timeout=10).read().decode()
    return sum(float(l.rsplit(" ", 1)[1]) for l in text.splitlines()
               if l.startswith(prefix) and must in l)

def direct():
    return metric("netty_allocator_memory_used", 'memory_type="direct"') or metric("netty_allocator_memory_used", "direct")

class Peak(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True); self.peak = rss(); self.stop = False
    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss()); time.sleep(0.05)

def head(key, length):
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    return (f"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n{auth}"
            f"Content-Length: {length}\r\n\r\n").encode()

def status(s, deadline=None):
    s.settimeout(20 if deadline is None else max(0.05, deadline - time.monotonic()))
    data = b""
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    return data.split(b" ", 2)[1].decode()

def report(name, before, peak, after, d0, d1):
    print(f"{name}: RSS before {before / MIB:.0f} MiB, peak {peak / MIB:.0f} MiB, after {after / MIB:.0f} MiB;"
          f" Netty direct memory before {d0 / MIB:.1f} MiB, after {d1 / MIB:.1f} MiB")

# Phase A: keyless stallers.
r0, d0 = rss(), direct()
p = Peak(); p.start()
stalled = []
for _ in range(150):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
    s.setblocking(False)
    data = head(None, N) + BODY
    try:
        while data:
            data = data[s.send(data):]
    except (BlockingIOError, OSError):
        pass
    stalled.append(s)
t0 = time.monotonic()
codes = {}
for s in stalled:
    s.setblocking(True)
    try:
        c = status(s, t0 + 20)  # 20 s for all of them: unanswered ones time out
    except OSError as e:
        c = type(e).__name__
    codes[c] = codes.get(c, 0) + 1
answered = time.monotonic() - t0
legit = {}
def one():
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}/v1/chat/completions",
        data=b'{"model":"dalsi-ai","messages":[{"role":"user","content":"hi"}]}',
        headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        c = str(urllib.request.urlopen(req, timeout=20).status)
    except Exception as e:
        c = getattr(e, "code", type(e).__name__)
    legit[c] = legit.get(c, 0) + 1
for _ in range(20):
    one()
time.sleep(1)
p.stop = True
report("A. 150 keyless stallers x 4,194,000 bytes", r0, p.peak, rss(), d0, direct())
print(f"   stallers answered {codes} within {answered:.2f} s; 20 legitimate requests meanwhile: {legit}")
for s in stalled:
    s.close()
time.sleep(2)

# Phase B: a flood of whole bodies at the limit with a valid key.
r0, d0 = rss(), direct()
p = Peak(); p.start()
flood = {}
lock = threading.Lock()
def upload():
    try:
        s = socket.create_connection(("127.0.0.1", PORT), timeout=20)
        try:
            s.sendall(head(KEY, N) + BODY)
        except OSError:
            pass  # shed and closed before the whole body was sent
        c = status(s)
        s.close()
    except OSError as e:
        c = type(e).__name__
    with lock:
        flood[c] = flood.get(c, 0) + 1
threads = [threading.Thread(target=upload) for _ in range(200)]
for t in threads: t.start()
for t in threads: t.join(30)
inflight = metric("gateway_request_body_bytes_in_flight")
time.sleep(5)
p.stop = True
report("B. 200 valid-key bodies x 4,194,000 bytes at once", r0, p.peak, rss(), d0, direct())
print(f"   answers {flood}; body bytes in flight after: {inflight:.0f}")
PY
echo "gateway WARN/ERROR lines: $(grep -cE ' (WARN|ERROR) ' "$WORK/gateway.log" || true)"
grep -E ' (WARN|ERROR) ' "$WORK/gateway.log" | cut -c1-200 | head -5 || true
