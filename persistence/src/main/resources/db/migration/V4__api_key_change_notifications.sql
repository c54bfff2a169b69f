-- V4: every change to a stored key that matters to authorization is announced on the channel
-- api_key_changed with the key's hex SHA-256 as the payload. Gateway nodes LISTEN on it and drop
-- that key from their caches, so a revocation or a new limit reaches every node within a second,
-- whoever made the change (the admin API, the expiry sweep, the portal, a DBA with psql).
--
-- Why triggers rather than NOTIFY calls in the admin code: any writer is covered, and NOTIFY is
-- transactional, so nodes hear about a change only once it is committed (and never about a change
-- that was rolled back). Several changes to one key in one transaction arrive as one notification.
--
-- The usage columns (total_*, last_used_*) and updated_at are left out on purpose: the metering
-- writer updates them for every active key several times a second, and a notification for each
-- would empty every node's cache continuously. Nothing in them affects whether a key is accepted.

CREATE FUNCTION notify_api_key_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('api_key_changed', OLD.key_hash);
    IF TG_OP = 'UPDATE' AND NEW.key_hash IS DISTINCT FROM OLD.key_hash THEN
        PERFORM pg_notify('api_key_changed', NEW.key_hash);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_changed
    AFTER UPDATE ON api_keys
    FOR EACH ROW
    WHEN ((OLD.key_hash, OLD.key_prefix, OLD.user_id, OLD.name, OLD.is_active, OLD.scopes,
           OLD.rate_limit_per_minute, OLD.rate_limit_per_hour, OLD.rate_limit_per_day,
           OLD.subscription_tier, OLD.expires_at, OLD.allowed_ips, OLD.environment, OLD.webhook_url,
           OLD.is_internal, OLD.revoked_at, OLD.revoked_by, OLD.revoke_reason)
          IS DISTINCT FROM
          (NEW.key_hash, NEW.key_prefix, NEW.user_id, NEW.name, NEW.is_active, NEW.scopes,
           NEW.rate_limit_per_minute, NEW.rate_limit_per_hour, NEW.rate_limit_per_day,
           NEW.subscription_tier, NEW.expires_at, NEW.allowed_ips, NEW.environment, NEW.webhook_url,
           NEW.is_internal, NEW.revoked_at, NEW.revoked_by, NEW.revoke_reason))
    EXECUTE FUNCTION notify_api_key_changed();

CREATE TRIGGER api_keys_notify_deleted
    AFTER DELETE ON api_keys
    FOR EACH ROW
    EXECUTE FUNCTION notify_api_key_changed();

-- A key is only accepted while its owner is active, and nodes cache that flag with the key: when
-- it flips, every key of the user is announced.
CREATE FUNCTION notify_user_keys_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('api_key_changed', k.key_hash) FROM api_keys k WHERE k.user_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER users_notify_keys_changed
    AFTER UPDATE OF is_active ON users
    FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active)
    EXECUTE FUNCTION notify_user_keys_changed();
