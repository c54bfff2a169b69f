#!/usr/bin/env bash
# Three gateway nodes and one Redis on this machine, sharing one PostgreSQL database: cluster mode
# to try by hand. Every node enforces the same limits (ratelimit.redisUrl), hears key and catalog
# changes from the others (LISTEN/NOTIFY) and falls back to its own memory while Redis is away.
#
#   ops/cluster/run-three-nodes.sh            # start; Ctrl-C stops everything it started
#
# Needs: gateway/target/gateway.jar and loadtest/target/loadtest.jar (./mvnw -B -q -DskipTests package), redis-server on the PATH,
# a PostgreSQL the nodes can reach (GATEWAY_DB_URL, GATEWAY_DB_USER, GATEWAY_DB_PASSWORD; default
# the local server as postgres, database postgres) and a backend (GATEWAY_BACKEND_URL; default:
# the simulated one this script starts).
#
# Ports (override with the variables):
#   REDIS_PORT=6390        Redis of this cluster (no persistence; kill it to watch the fallback)
#   BACKEND_PORT=8090      the simulated backend, unless GATEWAY_BACKEND_URL is set
#   PUBLIC_BASE=8080       node n's public port is PUBLIC_BASE + n: 8081 8082 8083
#   ADMIN_BASE=9080        node n's admin port is ADMIN_BASE + n: 9081 9082 9083
#
# Watching the shared limits:
#   curl -s localhost:9081/health/ready | jq .        # "ready", or "degraded" while Redis is away
#   curl -s localhost:9081/metrics | grep gateway_ratelimit_fallback_total
#   redis-cli -p 6390 --scan --pattern 'gateway:*'    # the keys' buckets, token windows and spends
# A key limited to 30 a minute gets 30 answers of 200 in all, whichever nodes the requests reach:
#   for i in $(seq 1 45); do curl -s -o /dev/null -w '%{http_code}\n' localhost:808$(( i % 3 + 1 ))/v1/chat/completions \
#     -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
#     -d '{"model":"dalsi-ai","messages":[{"role":"user","content":"hi"}]}'; done | sort | uniq -c
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
REDIS_PORT=${REDIS_PORT:-6390}
BACKEND_PORT=${BACKEND_PORT:-8090}
PUBLIC_BASE=${PUBLIC_BASE:-8080}
ADMIN_BASE=${ADMIN_BASE:-9080}
RUN_DIR=${RUN_DIR:-$(mktemp -d -t gateway-cluster.XXXXXX)}
export GATEWAY_DB_URL=${GATEWAY_DB_URL:-jdbc:postgresql://127.0.0.1:5432/postgres}
export GATEWAY_DB_USER=${GATEWAY_DB_USER:-postgres}
export GATEWAY_ADMIN_TOKEN=${GATEWAY_ADMIN_TOKEN:-cluster-admin-token-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}

[ -f gateway/target/gateway.jar ] || { echo "gateway/target/gateway.jar is missing: ./mvnw -B -q -DskipTests package" >&2; exit 1; }
command -v redis-server > /dev/null || { echo "redis-server is not on the PATH (Debian: apt-get install redis-server)" >&2; exit 1; }

pids=()
stop() {
    echo "stopping (logs in $RUN_DIR)"
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
}
trap stop EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no > "$RUN_DIR/redis.log" 2>&1 &
pids+=($!)
echo "redis-server on 127.0.0.1:$REDIS_PORT (pid $!)"

if [ -z "${GATEWAY_BACKEND_URL:-}" ]; then
    bin/loadtest backend --port "$BACKEND_PORT" > "$RUN_DIR/backend.log" 2>&1 &
    pids+=($!)
    export GATEWAY_BACKEND_URL="http://127.0.0.1:$BACKEND_PORT"
    echo "simulated backend on $GATEWAY_BACKEND_URL (pid $!)"
fi

export GATEWAY_RATELIMIT_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export GATEWAY_RATELIMIT_REDIS_KEY_PREFIX="gateway:"
for n in 1 2 3; do
    # Node 1 migrates the database; the others wait for it, so that no two migrate at once.
    migrate=false
    [ "$n" = 1 ] && migrate=true
    GATEWAY_HTTP_PORT=$((PUBLIC_BASE + n)) GATEWAY_ADMIN_PORT=$((ADMIN_BASE + n)) GATEWAY_DATABASE_MIGRATE_ON_START=$migrate \
        GATEWAY_METERING_JOURNAL_DIRECTORY="$RUN_DIR/journal-$n" \
        bin/gateway serve > "$RUN_DIR/node$n.log" 2>&1 &
    pids+=($!)
    echo "node $n: public port $((PUBLIC_BASE + n)), admin port $((ADMIN_BASE + n)) (pid $!, log $RUN_DIR/node$n.log)"
    if [ "$n" = 1 ]; then
        for _ in $(seq 1 120); do
            curl -sf "localhost:$((ADMIN_BASE + 1))/health/ready" > /dev/null && break
            sleep 0.5
        done
    fi
done
echo "admin token: $GATEWAY_ADMIN_TOKEN"
echo "admin API of node 1: localhost:$((ADMIN_BASE + 1))/admin/... (Authorization: Bearer <admin token>)"
echo "Ctrl-C stops the three nodes, the backend and Redis"
wait
