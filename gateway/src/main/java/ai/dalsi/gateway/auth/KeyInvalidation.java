package ai.dalsi.gateway.auth;

/**
 * Tells a gateway node that stored keys changed (revoked, patched, rotated), so its key cache
 * drops what it holds. Fed by PostgreSQL {@code LISTEN/NOTIFY}; the cache's own refresh is the
 * safety net when a notification is missed.
 */
public interface KeyInvalidation {

    /** The key with this hex SHA-256 changed. */
    void invalidate(String keyHash);

    /** Anything may have changed (e.g. the notification connection was lost and re-established). */
    void invalidateAll();
}
