#!/usr/bin/env bash
# Heap allocation and CPU per request of one `gateway.jar serve` process under the benchmark's
# default load (the same mix and key shares as `loadtest.jar compare`), read from the node's own
# /metrics around a measured run: jvm_gc_memory_allocated_bytes_total (made exact by a GC through
# jcmd before each read), process_cpu_usage is not cumulative, so CPU comes from /proc.
#
#   loadtest/scripts/alloc-per-request.sh gateway/target/gateway.jar loadtest/target/loadtest.jar [requests]
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres; a database is created and dropped), curl,
# python3, jcmd next to java (JAVA, default: java on the PATH, 21+), and taskset for pinning.
# SHARES=refusals measures the 429 path (over-limit keys only) instead of the default mix.
# GATEWAY_JAVA_OPTS adds options to the gateway JVM, e.g. a Flight Recording to see where the
# bytes go: GATEWAY_JAVA_OPTS=-XX:StartFlightRecording=filename=/tmp/g.jfr,settings=profile
# and then: jfr view allocation-by-site /tmp/g.jfr
set -euo pipefail
GJAR=$(realpath "${1:?gateway.jar}")
LJAR=$(realpath "${2:?loadtest.jar}")
REQUESTS=${3:-200000}
JAVA=${JAVA:-java}
JCMD=$(dirname "$(command -v "$JAVA")")/jcmd
DB=alloc_$$_$RANDOM
WORK=$(mktemp -d)
PORT=$((20000 + RANDOM % 20000)); ADMIN=$((PORT + 1)); BACKEND=$((PORT + 2))
TOKEN=alloc-probe-admin-token-$RANDOM$RANDOM
PIN0=""; PIN1=""
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then PIN0="taskset -c 0"; PIN1="taskset -c 1"; fi
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
INSERT INTO api_products (name, display_name, price_per_1k_tokens, base_price_usd, endpoints, required_scopes, required_subscription_tier, kind)
VALUES ('ai.chat', 'Chat', 0.002, 0, '{/v1/chat/completions}', '{ai.chat}', 'free', 'chat'),
       ('ai.code', 'Code', 0.002, 0, '{/v1/completions}', '{ai.code}', 'free', 'completion'),
       ('ai.image', 'Images', 0, 0.02, '{/v1/images/generations}', '{ai.image}', 'free', 'image');
INSERT INTO ai_models (name, type, pricing) VALUES
       ('dalsi-ai', 'text', '{"input_per_1k": 0.0005, "output_per_1k": 0.0015}'),
       ('dalsi-aivi', 'multimodal', '{"input_per_1k": 0.001, "output_per_1k": 0.002, "per_image": 0.02}');
SQL
$PIN1 "$JAVA" -jar "$LJAR" backend --port "$BACKEND" --latency-ms 0 --ttft-ms 0 --tokens-per-second 0 \
    --image-latency-ms 0 >"$WORK/backend.log" 2>&1 &
BE=$!
# shellcheck disable=SC2086
$PIN1 "$JAVA" -Xms512m -Xmx1g ${GATEWAY_JAVA_OPTS:-} -jar "$GJAR" serve >"$WORK/gateway.log" 2>&1 &
GW=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$ADMIN/health/ready" >/dev/null && break; sleep 0.5; done

api() { curl -fs -X POST "http://127.0.0.1:$ADMIN$1" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d "$2"; }
USER_ID=$(api /admin/users '{"email":"alloc@example.com"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
key() {
    api /admin/keys "{\"user_id\":\"$USER_ID\",\"name\":\"k\",\"scopes\":[\"ai.chat\",\"ai.code\",\"ai.image\"],\"subscription_tier\":\"enterprise\",\"rate_limit_per_minute\":$1,\"rate_limit_per_hour\":$1,\"rate_limit_per_day\":$1}" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}
for _ in $(seq 1 20); do key 2147483647; done >"$WORK/keys.txt"
for _ in $(seq 1 5); do key 1; done >"$WORK/limited.txt"

# SHARES=refusals loads over-limit keys only (the 429 path); the default is compare's mix of keys.
if [ "${SHARES:-mix}" = refusals ]; then
    SHARE_ARGS=(--over-limit-share 1 --unknown-share 0 --malformed-share 0)
else
    SHARE_ARGS=(--over-limit-share 0.02 --unknown-share 0.02 --malformed-share 0.02)
fi
load() {
    $PIN0 "$JAVA" -jar "$LJAR" run --url "http://127.0.0.1:$PORT" --max --connections 16 --quiet \
        --keys "$WORK/keys.txt" --over-limit-keys "$WORK/limited.txt" "${SHARE_ARGS[@]}" "$@"
}
scrape() {
    "$JCMD" "$GW" GC.run >/dev/null
    local m; m=$(curl -fs "http://127.0.0.1:$ADMIN/metrics")
    local alloc; alloc=$(echo "$m" | awk '/^jvm_gc_memory_allocated_bytes_total/ {print $2}')
    local reqs; reqs=$(echo "$m" | awk '/^gateway_requests_total\{/ {s += $2} END {printf "%.0f", s}')
    local ticks; ticks=$(awk '{print $14 + $15}' "/proc/$GW/stat")
    echo "$alloc $reqs $ticks"
}
load --duration 20s >/dev/null   # warm-up: JIT, caches, pools
read -r A0 R0 T0 < <(scrape)
echo "measured window from $(date +%s.%N)"
load --duration 600s --requests "$REQUESTS" >"$WORK/run.txt"
echo "measured window to $(date +%s.%N)"
read -r A1 R1 T1 < <(scrape)
python3 - "$A0" "$A1" "$R0" "$R1" "$T0" "$T1" "$(getconf CLK_TCK)" <<'PY'
import sys
a0, a1, r0, r1, t0, t1, hz = map(float, sys.argv[1:])
n = r1 - r0
print(f"requests answered: {n:.0f}")
print(f"allocated per request: {(a1 - a0) / n:,.0f} bytes")
print(f"gateway CPU per request: {(t1 - t0) / hz * 1e6 / n:.1f} us")
PY
grep -E "req/s|^ *[0-9]{3}:" "$WORK/run.txt" | head -8 || true
