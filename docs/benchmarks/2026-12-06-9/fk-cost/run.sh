#!/usr/bin/env bash
# What each constraint of api_usage_logs costs PostgreSQL per inserted row: 200,000 usage rows
# staged in a temporary table and moved with INSERT ... SELECT (as the ledger's writer moves them),
# three times per variant, in a scratch database the gateway's migrations create.
# Needs a built gateway (bin/gateway) and PostgreSQL at 127.0.0.1:5432 as user postgres.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
DB=${DB:-fk_cost_scratch}
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qAt)
"${PSQL[@]}" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
GATEWAY_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" bin/gateway migrate >/dev/null
q() { "${PSQL[@]}" -d "$DB" "$@"; }
q <<'SQL'
INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'fk-cost@example.com');
INSERT INTO api_keys (id, user_id, key_hash, key_prefix, name)
SELECT ('00000000-0000-0000-0001-' || lpad(to_hex(g), 12, '0'))::uuid, '00000000-0000-0000-0000-000000000001',
       md5(g::text) || md5(g::text), 'dsk_prod_' || g, 'k' || g
FROM generate_series(1, 100) g;
CREATE TABLE src AS
SELECT v.id, '00000000-0000-0000-0000-000000000001'::uuid AS user_id,
       ('00000000-0000-0000-0001-' || lpad(to_hex(1 + g % 100), 12, '0'))::uuid AS api_key_id,
       '/v1/chat/completions'::text AS endpoint, 'POST'::text AS method, 200 AS status_code,
       12 AS response_time_ms, 300 AS request_size_bytes, 900 AS response_size_bytes,
       '127.0.0.1'::inet AS ip_address, 150 AS tokens_used, 0.00125::numeric(20,8) AS cost_usd,
       'free'::text AS subscription_tier, NULL::text AS error_message,
       jsonb_build_object('request_id', v.id, 'model', 'gpt-4o-mini', 'product', 'ai.chat', 'stream', false,
                          'backend_latency_ms', 11, 'prompt_tokens', 100, 'completion_tokens', 50, 'images', 0,
                          'usage_estimated', false, 'client_aborted', false,
                          'backend', 'http://127.0.0.1:9000', 'attempts', 1) AS request_metadata,
       'loadtest'::text AS user_agent, 59 AS rate_limit_remaining,
       timestamptz '2026-12-06 12:01:00+00' AS rate_limit_reset, uuid_v7_time(v.id) AS created_at
FROM generate_series(1, 200000) g,
     LATERAL (SELECT gen_uuid_v7(timestamptz '2026-12-06 12:00:00+00' + g * interval '1 ms') AS id) v;
SQL
run() {
  local label=$1 times=()
  for _ in 1 2 3; do
    q -c "TRUNCATE api_usage_logs" -c "CHECKPOINT"
    local ms
    ms=$(q <<'SQL' | grep -o '[0-9.]* ms' | tail -1
BEGIN;
CREATE TEMP TABLE stage (LIKE src) ON COMMIT DROP;
INSERT INTO stage SELECT * FROM src;
\timing on
INSERT INTO api_usage_logs SELECT * FROM stage;
\timing off
COMMIT;
SQL
)
    times+=("${ms% ms}")
  done
  printf '%-52s %s ms\n' "$label" "${times[*]}"
}
run "as migrated (two foreign keys, three indexes)"
q -c "ALTER TABLE api_usage_logs DROP CONSTRAINT api_usage_logs_api_key_id_fkey"
run "without the api_keys foreign key"
q -c "ALTER TABLE api_usage_logs DROP CONSTRAINT api_usage_logs_user_id_fkey"
run "without either foreign key"
q -c "ALTER TABLE api_keys ADD CONSTRAINT api_keys_id_user_id_key UNIQUE (id, user_id)" \
  -c "ALTER TABLE api_usage_logs ADD CONSTRAINT api_usage_logs_key_owner_fkey FOREIGN KEY (api_key_id, user_id) REFERENCES api_keys (id, user_id) ON DELETE RESTRICT"
run "one composite foreign key (api_key_id, user_id)"
q -c "ALTER TABLE api_usage_logs DROP CONSTRAINT api_usage_logs_key_owner_fkey" \
  -c "ALTER TABLE api_usage_logs ADD CONSTRAINT api_usage_logs_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES api_keys (id) ON DELETE RESTRICT, ADD CONSTRAINT api_usage_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT"
run "as migrated, again"
"${PSQL[@]}" -c "DROP DATABASE $DB"
