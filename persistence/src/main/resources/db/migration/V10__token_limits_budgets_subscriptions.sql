-- V10: token limits and monthly budgets per key, a monthly budget per user, and the notifications
-- that bring them (and the user's subscriptions) to every gateway node within a second.
--
-- Token limits are per key, in the two windows OpenAI publishes (tokens per minute, per day); null
-- means unlimited, a value must be positive (a limit of zero would be a disabled key, and keys have
-- is_active for that). bigint, because a day's tokens of a large customer pass 2^31.
--
-- Budgets are USD per UTC calendar month; null means none, 0 means "nothing that costs money". The
-- type is the ledger's own, numeric(20,8) like api_usage_logs.cost_usd, api_usage_hourly.cost_usd
-- and api_keys.total_cost_usd: a budget is compared with sums of those columns, so it has the same
-- scale (no rounding between the two) and the same bound (below 10^12 USD, the most those columns
-- can hold; a larger value fails with "numeric field overflow" instead of being clamped).

ALTER TABLE api_keys
    ADD COLUMN rate_limit_tokens_per_minute bigint,
    ADD COLUMN rate_limit_tokens_per_day    bigint,
    ADD COLUMN monthly_budget_usd           numeric(20,8),
    ADD CONSTRAINT api_keys_token_limits_check
        CHECK (rate_limit_tokens_per_minute > 0 AND rate_limit_tokens_per_day > 0),
    ADD CONSTRAINT api_keys_monthly_budget_usd_check CHECK (monthly_budget_usd >= 0);

ALTER TABLE users
    ADD COLUMN monthly_budget_usd numeric(20,8),
    ADD CONSTRAINT users_monthly_budget_usd_check CHECK (monthly_budget_usd >= 0);

-- The key-change trigger of V4 lists the columns that matter to admission; the new ones matter too.
-- (The function notify_api_key_changed() is unchanged: it announces the key's hash.)
DROP TRIGGER api_keys_notify_changed ON api_keys;

CREATE TRIGGER api_keys_notify_changed
    AFTER UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((OLD.key_hash, OLD.key_prefix, OLD.user_id, OLD.name, OLD.is_active, OLD.scopes,
           OLD.rate_limit_per_minute, OLD.rate_limit_per_hour, OLD.rate_limit_per_day,
           OLD.rate_limit_tokens_per_minute, OLD.rate_limit_tokens_per_day, OLD.monthly_budget_usd,
           OLD.subscription_tier, OLD.expires_at, OLD.allowed_ips, OLD.environment, OLD.webhook_url,
           OLD.is_internal, OLD.revoked_at, OLD.revoked_by, OLD.revoke_reason)
          IS DISTINCT FROM
          (NEW.key_hash, NEW.key_prefix, NEW.user_id, NEW.name, NEW.is_active, NEW.scopes,
           NEW.rate_limit_per_minute, NEW.rate_limit_per_hour, NEW.rate_limit_per_day,
           NEW.rate_limit_tokens_per_minute, NEW.rate_limit_tokens_per_day, NEW.monthly_budget_usd,
           NEW.subscription_tier, NEW.expires_at, NEW.allowed_ips, NEW.environment, NEW.webhook_url,
           NEW.is_internal, NEW.revoked_at, NEW.revoked_by, NEW.revoke_reason))
    EXECUTE FUNCTION notify_api_key_changed();

-- Nodes cache the owner's active flag and monthly budget with each key: when either changes, every
-- key of the user is announced (V4 covered is_active alone).
DROP TRIGGER users_notify_keys_changed ON users;

CREATE TRIGGER users_notify_keys_changed
    AFTER UPDATE OF is_active, monthly_budget_usd ON users
    FOR EACH ROW
    WHEN ((OLD.is_active, OLD.monthly_budget_usd) IS DISTINCT FROM (NEW.is_active, NEW.monthly_budget_usd))
    EXECUTE FUNCTION notify_user_keys_changed();

-- Nodes also cache the user's active and trialing subscriptions with each key (the tier a request
-- gets comes from them), so any subscription that is added, changed or removed announces every key
-- of its user, and of its former user when user_id itself changed. An update that touches none of
-- the columns the tier depends on (e.g. only updated_at or price_usd) announces nothing.
CREATE FUNCTION notify_subscription_keys_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('api_key_changed', k.key_hash) FROM api_keys k WHERE k.user_id = OLD.user_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id) THEN
        PERFORM pg_notify('api_key_changed', k.key_hash) FROM api_keys k WHERE k.user_id = NEW.user_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER user_subscriptions_notify_inserted_deleted
    AFTER INSERT OR DELETE ON user_subscriptions
    FOR EACH ROW
    EXECUTE FUNCTION notify_subscription_keys_changed();

CREATE TRIGGER user_subscriptions_notify_changed
    AFTER UPDATE ON user_subscriptions
    FOR EACH ROW
    WHEN ((OLD.user_id, OLD.tier, OLD.status, OLD.current_period_start, OLD.current_period_end)
          IS DISTINCT FROM
          (NEW.user_id, NEW.tier, NEW.status, NEW.current_period_start, NEW.current_period_end))
    EXECUTE FUNCTION notify_subscription_keys_changed();
