package ai.dalsi.gateway.ratelimit;

/**
 * A limit check Redis did not answer: not reachable, connection lost mid-command (an I/O error, not
 * a {@link io.lettuce.core.RedisException}), too slow, or an error reply. Whatever the cause, the
 * check can be answered locally ({@link FallbackKeyRateLimiter}); a failure to read the ledger is
 * not one of these and is not wrapped.
 */
public final class RedisUnavailableException extends RuntimeException {

    RedisUnavailableException(Throwable cause) {
        super(cause.toString(), cause);
    }
}
