-- V8: the webhook outbox. An event for a key with a webhook_url (key.revoked, key.expired,
-- key.rotated, key.rate_limited; budget.threshold and usage.daily once they are produced) is
-- inserted in the same transaction as what caused it: the revocation, the expiry sweep, the
-- rotation, the ledger batch that stored the refused requests. So an event exists if and only if
-- its cause was committed, and no event is lost when a node stops between the two.
--
-- Each row is also its delivery state: gateway nodes claim due rows with
-- SELECT ... FOR UPDATE SKIP LOCKED and a lease (lease_token, lease_until), deliver outside any
-- transaction, and record the attempt with the lease token; a node that dies mid-delivery loses
-- its lease when lease_until passes and another node delivers the event.

CREATE TABLE webhook_events (
    -- UUIDv7; the webhook-id header and the payload's "id", the same on every attempt, so a
    -- receiver that sees an id twice (at-least-once delivery) can ignore the second.
    id               uuid        PRIMARY KEY,
    api_key_id       uuid        NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    event_type       text        NOT NULL,
    -- The payload's "data": key_id, key_prefix, key_name and user_id of the key, plus the
    -- event's own fields. Never the key itself.
    data             jsonb       NOT NULL,
    -- At most one event per cause: "key.revoked:<key id>",
    -- "key.rate_limited:<key id>:minute:<window start>", "budget.threshold:<key id>:2030-01:80", ...
    -- Inserts use ON CONFLICT DO NOTHING, so a replayed ledger batch or two nodes seeing the same
    -- window add one event between them.
    dedupe_key       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    status           text        NOT NULL DEFAULT 'pending',
    -- Attempts since the event was created or last redelivered (drives backoff and the limit),
    -- and attempts ever (numbers the webhook_attempts rows).
    attempts         integer     NOT NULL DEFAULT 0,
    attempts_total   integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      text,
    lease_token      uuid,
    lease_until      timestamptz,
    last_attempt_at  timestamptz,
    last_status_code integer,
    last_error       text,
    delivered_at     timestamptz,
    failed_at        timestamptz,
    CONSTRAINT webhook_events_dedupe_key_key UNIQUE (dedupe_key),
    CONSTRAINT webhook_events_event_type_check CHECK (event_type IN ('key.revoked', 'key.expired',
        'key.rotated', 'key.rate_limited', 'budget.threshold', 'usage.daily')),
    CONSTRAINT webhook_events_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
    CONSTRAINT webhook_events_data_check CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT webhook_events_attempts_check CHECK (attempts >= 0 AND attempts_total >= attempts),
    CONSTRAINT webhook_events_lease_check CHECK ((lease_token IS NULL) = (lease_until IS NULL))
);

-- The senders' claim: due pending events in next_attempt_at order.
CREATE INDEX webhook_events_due_idx ON webhook_events (next_attempt_at) WHERE status = 'pending';
-- The admin API's list of a key's deliveries, newest first.
CREATE INDEX webhook_events_api_key_id_idx ON webhook_events (api_key_id, created_at DESC, id DESC);

-- One row per delivery attempt: when, how long, what the receiver answered or what went wrong.
CREATE TABLE webhook_attempts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    uuid        NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    node        text        NOT NULL,
    started_at  timestamptz NOT NULL,
    latency_ms  integer     NOT NULL,
    outcome     text        NOT NULL,
    -- The receiver's HTTP status; null when there was no answer.
    status_code integer,
    error       text,
    CONSTRAINT webhook_attempts_event_id_attempt_key UNIQUE (event_id, attempt),
    CONSTRAINT webhook_attempts_outcome_check CHECK (outcome IN ('delivered', 'http_error',
        'network_error', 'timeout', 'refused_target')),
    CONSTRAINT webhook_attempts_latency_ms_check CHECK (latency_ms >= 0)
);
