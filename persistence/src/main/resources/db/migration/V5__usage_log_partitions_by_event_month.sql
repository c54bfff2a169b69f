-- V5: monthly partitions of api_usage_logs for any month, not only the months around now().
--
-- The ledger writer used to create partitions from last month to three months ahead of now().
-- A journal replayed after a long outage (or a node whose clock a test sets) carries events older
-- than the oldest partition, and those stayed in api_usage_logs_default for good. Now the writer
-- names the months itself: around its own clock at start and daily, and the month of every event
-- it is about to insert that it has not seen before, so each row lands in its own month.

-- Creates the partitions of every UTC month from the month of first_at to the month of last_at,
-- both included, moving rows of those months out of the default partition. Returns how many
-- partitions it created. Safe to call from several nodes at once (a transaction-scoped lock).
CREATE FUNCTION ensure_api_usage_log_months(first_at timestamptz, last_at timestamptz)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    month_start timestamp := date_trunc('month', first_at AT TIME ZONE 'UTC');
    last_month  timestamp := date_trunc('month', last_at AT TIME ZONE 'UTC');
    lower_bound timestamptz;
    upper_bound timestamptz;
    part_name   text;
    created     integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('ensure_api_usage_log_partitions'));
    WHILE month_start <= last_month LOOP
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
        month_start := month_start + interval '1 month';
    END LOOP;
    RETURN created;
END
$$;

-- The V2 entry point keeps its signature (operators may call it) and now uses the function above.
CREATE OR REPLACE FUNCTION ensure_api_usage_log_partitions(months_back integer DEFAULT 1, months_ahead integer DEFAULT 3)
    RETURNS integer
    LANGUAGE sql
AS $$
    SELECT ensure_api_usage_log_months(now() - make_interval(months => months_back),
                                       now() + make_interval(months => months_ahead));
$$;
