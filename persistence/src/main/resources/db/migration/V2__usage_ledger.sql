-- V2: the usage ledger: api_usage_logs partitioned by month, hourly rollups for billing and the
-- admin usage API, and the functions that keep both honest.
--
-- Request ids are UUIDv7: the first 48 bits are the request's start time in Unix milliseconds.
-- The edge uses that id as the row id and that time as created_at.
--
-- Why the primary key is (id, created_at) and still guarantees one row per request id:
-- PostgreSQL requires every unique index of a partitioned table to contain the partition key, so
-- "UNIQUE (id)" alone cannot exist on a table partitioned by created_at. The CHECK
-- api_usage_logs_created_at_from_id binds created_at to the timestamp inside the id
-- (created_at = uuid_v7_time(id)), which makes created_at a function of id: two rows with the same
-- id necessarily have the same created_at, fall into the same partition, and collide on the
-- primary key. "INSERT ... ON CONFLICT (id, created_at) DO NOTHING" is therefore an exact,
-- partition-safe "at most once per request id", which is what makes replaying a batch harmless.
--
-- Writers other than the gateway can rely on the defaults: both come from now(), so they agree.

-- Milliseconds since the Unix epoch carried by a UUIDv7 (its first 48 bits).
CREATE FUNCTION uuid_v7_epoch_ms(id uuid) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT ('x' || left(replace(id::text, '-', ''), 12))::bit(48)::bigint $$;

-- The instant carried by a UUIDv7. Declared IMMUTABLE: adding whole milliseconds to the epoch does
-- not depend on the session's time zone (PostgreSQL marks timestamptz + interval STABLE only
-- because of day and month units).
CREATE FUNCTION uuid_v7_time(id uuid) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT timestamptz '1970-01-01 00:00:00+00' + uuid_v7_epoch_ms(id) * interval '1 millisecond' $$;

-- A new UUIDv7 for the given instant (RFC 9562: 48-bit ms timestamp, version 7, variant 10, random).
-- gen_random_uuid() supplies the random bits and the variant; bits 52 and 53 turn version 4 into 7.
CREATE FUNCTION gen_uuid_v7(ts timestamptz DEFAULT clock_timestamp()) RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
    SELECT encode(
        set_bit(set_bit(
            overlay(uuid_send(gen_random_uuid())
                    PLACING substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3)
                    FROM 1 FOR 6),
            52, 1), 53, 1),
        'hex')::uuid
$$;

-- One row per request that presented a known key, whatever its outcome.
-- Integer columns kept as integer: a single request's sizes, duration and tokens stay far below 2^31.
CREATE TABLE api_usage_logs (
    id                   uuid          NOT NULL DEFAULT gen_uuid_v7(date_trunc('milliseconds', now())),
    user_id              uuid          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    api_key_id           uuid          NOT NULL REFERENCES api_keys (id) ON DELETE RESTRICT,
    endpoint             text          NOT NULL,
    method               text          NOT NULL,
    status_code          integer       NOT NULL,
    response_time_ms     integer,
    request_size_bytes   integer,
    response_size_bytes  integer,
    ip_address           inet,
    tokens_used          integer       NOT NULL DEFAULT 0,
    cost_usd             numeric(20,8) NOT NULL DEFAULT 0,
    subscription_tier    text,
    error_message        text,
    request_metadata     jsonb         NOT NULL DEFAULT '{}'::jsonb,
    user_agent           text,
    rate_limit_remaining integer,
    rate_limit_reset     timestamptz,
    created_at           timestamptz   NOT NULL DEFAULT date_trunc('milliseconds', now()),
    CONSTRAINT api_usage_logs_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT api_usage_logs_created_at_from_id CHECK (created_at = uuid_v7_time(id)),
    CONSTRAINT api_usage_logs_subscription_tier_check
        CHECK (subscription_tier IN ('free', 'pro', 'enterprise')),
    CONSTRAINT api_usage_logs_status_code_check CHECK (status_code BETWEEN 100 AND 599),
    CONSTRAINT api_usage_logs_counts_check CHECK (tokens_used >= 0 AND cost_usd >= 0)
) PARTITION BY RANGE (created_at);

CREATE INDEX api_usage_logs_api_key_id_created_at_idx ON api_usage_logs (api_key_id, created_at);
CREATE INDEX api_usage_logs_user_id_created_at_idx ON api_usage_logs (user_id, created_at);

-- Rows outside every monthly partition land here instead of failing the batch that carries them.
CREATE TABLE api_usage_logs_default PARTITION OF api_usage_logs DEFAULT;

-- Creates the monthly partitions (UTC months) from months_back before the current month to
-- months_ahead after it, and returns how many it created. Safe to call from several nodes at
-- once (advisory lock) and when the default partition already holds rows of a month that gets
-- its own partition (they are moved before the partition is attached). The metering writer calls
-- it at start and daily; migrations call it once.
CREATE FUNCTION ensure_api_usage_log_partitions(months_back integer DEFAULT 1, months_ahead integer DEFAULT 3)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    first_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => months_back);
    month_start timestamp;
    lower_bound timestamptz;
    upper_bound timestamptz;
    part_name   text;
    created     integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ensure_api_usage_log_partitions'));
    FOR i IN 0 .. months_back + months_ahead LOOP
        month_start := first_month + make_interval(months => i);
        lower_bound := month_start AT TIME ZONE 'UTC';
        upper_bound := (month_start + interval '1 month') AT TIME ZONE 'UTC';
        part_name := format('api_usage_logs_%s', to_char(month_start, 'YYYY_MM'));
        IF to_regclass(format('%I.%I', current_schema(), part_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I (LIKE api_usage_logs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                           part_name);
            EXECUTE format('WITH moved AS (DELETE FROM api_usage_logs_default '
                           || 'WHERE created_at >= %L AND created_at < %L RETURNING *) '
                           || 'INSERT INTO %I SELECT * FROM moved', lower_bound, upper_bound, part_name);
            EXECUTE format('ALTER TABLE api_usage_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                           part_name, lower_bound, upper_bound);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;

SELECT ensure_api_usage_log_partitions(1, 3);

-- Hourly rollups of api_usage_logs, maintained in the same transaction as the rows they sum.
-- Billing and the admin usage API read these, never the raw logs.
-- The key (api_key_id, hour, endpoint, model) is what the writer upserts on; user_id follows from
-- the key and is kept for per-user billing. model is '' when a request named none (e.g. a 401).
CREATE TABLE api_usage_hourly (
    api_key_id    uuid          NOT NULL REFERENCES api_keys (id) ON DELETE RESTRICT,
    user_id       uuid          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    endpoint      text          NOT NULL,
    model         text          NOT NULL DEFAULT '',
    hour          timestamptz   NOT NULL,
    request_count bigint        NOT NULL DEFAULT 0,
    tokens_used   bigint        NOT NULL DEFAULT 0,
    cost_usd      numeric(20,8) NOT NULL DEFAULT 0,
    error_count   bigint        NOT NULL DEFAULT 0,
    updated_at    timestamptz   NOT NULL DEFAULT now(),
    CONSTRAINT api_usage_hourly_pkey PRIMARY KEY (api_key_id, hour, endpoint, model),
    CONSTRAINT api_usage_hourly_hour_check CHECK (extract(epoch FROM hour) % 3600 = 0),
    CONSTRAINT api_usage_hourly_counts_check
        CHECK (request_count >= 0 AND tokens_used >= 0 AND cost_usd >= 0 AND error_count >= 0)
);
CREATE INDEX api_usage_hourly_user_id_hour_idx ON api_usage_hourly (user_id, hour);
