-- V14: a new key is announced on api_key_changed too, with its hex SHA-256 as the payload, so that
-- nodes drop what they remember about that hash. Nodes remember "no such key" for a while
-- (edge.keyCacheNegativeTtl) so that a client repeating an unknown or mistyped key costs no database
-- lookup per request; without this announcement a key created a moment after a client tried it
-- would be refused by a node until that memory ran out. As with V4, a trigger covers every writer
-- (the admin API, the portal, a DBA with psql), and NOTIFY is transactional: nodes hear of the key
-- once it is committed, never of one rolled back.

CREATE FUNCTION notify_api_key_inserted() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM pg_notify('api_key_changed', NEW.key_hash);
    RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_inserted
    AFTER INSERT ON api_keys
    FOR EACH ROW
    EXECUTE FUNCTION notify_api_key_inserted();
