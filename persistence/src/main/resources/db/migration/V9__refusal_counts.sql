-- V9: requests the edge refuses itself (429 over a limit, 403, 404 for a model, 413, ...) are counted,
-- not logged one row each: a refusal flood must not become a write flood. The ledger writer sums a
-- batch's refusals per key, hour, endpoint, model and status into api_usage_refusals, and adds them to
-- the key totals (api_keys.total_requests, last_used_*) and the hourly rollups (request_count,
-- error_count) in the same transaction as the batch's rows. A bounded sample of refusals per key and
-- minute still gets a full api_usage_logs row, as an example, marked request_metadata.sampled_refusal
-- = true: it is counted here, not through its row.
--
-- The ledger invariant becomes, per key:
--   rows without sampled_refusal + sum(api_usage_refusals.request_count) = requests answered
--   api_keys.total_requests = that sum = sum(api_usage_hourly.request_count)

CREATE TABLE api_usage_refusals (
    api_key_id    uuid        NOT NULL REFERENCES api_keys (id) ON DELETE RESTRICT,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    hour          timestamptz NOT NULL,
    endpoint      text        NOT NULL,
    model         text        NOT NULL DEFAULT '',
    status_code   integer     NOT NULL,
    request_count bigint      NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_usage_refusals_pkey PRIMARY KEY (api_key_id, hour, endpoint, model, status_code),
    CONSTRAINT api_usage_refusals_hour_check CHECK (extract(epoch FROM hour) % 3600 = 0),
    CONSTRAINT api_usage_refusals_status_code_check CHECK (status_code BETWEEN 100 AND 599),
    CONSTRAINT api_usage_refusals_count_check CHECK (request_count >= 0)
);
CREATE INDEX api_usage_refusals_user_id_hour_idx ON api_usage_refusals (user_id, hour);

-- Why counting stays exact across crashes and replays without a row id to conflict on: each
-- gateway's journal has an identity (a UUID in its directory), and the batch transaction that
-- writes journal records up to position P also sets this journal's committed_position to P. A
-- replayed record at or before committed_position was committed already and is skipped, count and
-- row alike; the journal's own checkpoint can lag behind (it is persisted after the commit) without
-- anything being counted twice. One row per journal directory ever used; each is written by the one
-- process that holds that directory's lock.
CREATE TABLE ledger_journals (
    journal_id         uuid        PRIMARY KEY,
    committed_position bigint      NOT NULL CHECK (committed_position >= 0),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
