-- V12: cluster mode.
--
-- 1. A rotated key keeps its limits and spend. Limiters (the local one and the Redis one shared by
--    every node) count a key under its limit identity: limit_key_id when set, else its own id.
--    Rotation sets the new key's limit_key_id to the old key's identity (the first key of the
--    chain), so the new key continues the old key's request buckets, token windows and month spend
--    instead of starting with full ones; the ledger's spend of the chain is summed over every key
--    with that identity (the index below serves it).
ALTER TABLE api_keys
    ADD COLUMN limit_key_id uuid REFERENCES api_keys (id) ON DELETE SET NULL;

COMMENT ON COLUMN api_keys.limit_key_id IS
    'The key whose limits and spend this key continues (the first key of its rotation chain); null: its own';

CREATE INDEX api_keys_limit_key_id_idx ON api_keys (limit_key_id) WHERE limit_key_id IS NOT NULL;

-- 2. Catalog changes reach every node within a second. Gateway nodes cache products and models and
--    used to reload them every 30 s; now every committed change to either table is announced on the
--    channel catalog_changed (payload: the table's name) and nodes reload at once. One notification
--    per statement: catalog writes are rare, and a node reloads the whole catalog anyway. As with
--    api_key_changed (V4), NOTIFY is transactional: nodes hear of committed changes only.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_products_notify_catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_products
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();

CREATE TRIGGER ai_models_notify_catalog_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ai_models
    FOR EACH STATEMENT
    EXECUTE FUNCTION notify_catalog_changed();
