-- V13: every change to feature_flags is announced on the channel feature_flag_changed with the
-- flag's name as the payload. Gateway nodes LISTEN on it and reload their flags, so a kill switch
-- or maintenance set through any node's admin API (or by a DBA with psql) is honoured by every
-- node within a second. As with V4, a trigger covers every writer, and NOTIFY is transactional:
-- nodes hear of a change once it is committed, never of one rolled back.
--
-- Only the columns that decide a switch are compared: an update of description or updated_at
-- alone announces nothing. Flags are few, so a node reloads all of them on any notification and
-- the payload is informational.

CREATE FUNCTION notify_feature_flag_changed() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('feature_flag_changed', NEW.name);
    ELSE
        PERFORM pg_notify('feature_flag_changed', OLD.name);
        IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
            PERFORM pg_notify('feature_flag_changed', NEW.name);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER feature_flags_notify_inserted_deleted
    AFTER INSERT OR DELETE ON feature_flags
    FOR EACH ROW
    EXECUTE FUNCTION notify_feature_flag_changed();

CREATE TRIGGER feature_flags_notify_changed
    AFTER UPDATE ON feature_flags
    FOR EACH ROW
    WHEN ((OLD.name, OLD.is_enabled, OLD.rollout_percentage)
          IS DISTINCT FROM (NEW.name, NEW.is_enabled, NEW.rollout_percentage))
    EXECUTE FUNCTION notify_feature_flag_changed();
