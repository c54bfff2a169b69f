package ai.dalsi.gateway.ratelimit;

/**
 * A key's token limits per sliding minute and day ({@code api_keys.rate_limit_tokens_per_*});
 * {@link Long#MAX_VALUE} where a window is unlimited, {@link #UNLIMITED} when both are.
 */
public record TokenLimits(long perMinute, long perDay) {

    /** No token limit in either window (null columns, internal keys). */
    public static final TokenLimits UNLIMITED = new TokenLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    public TokenLimits {
        if (perMinute < 1 || perDay < 1) {
            throw new IllegalArgumentException("token limits must be positive: " + perMinute + "/" + perDay);
        }
    }

    /** The limits as stored: null is unlimited. */
    public static TokenLimits of(Long perMinute, Long perDay) {
        if (perMinute == null && perDay == null) {
            return UNLIMITED;
        }
        return new TokenLimits(perMinute == null ? Long.MAX_VALUE : perMinute, perDay == null ? Long.MAX_VALUE : perDay);
    }

    /** Whether no window is limited. */
    public boolean unlimited() {
        return perMinute == Long.MAX_VALUE && perDay == Long.MAX_VALUE;
    }

    /** The limit of a window ({@link Long#MAX_VALUE} when that window is unlimited). */
    public long of(TokenWindow window) {
        return switch (window) {
            case MINUTE -> perMinute;
            case DAY -> perDay;
        };
    }

    /** Whether this window has a limit. */
    public boolean limits(TokenWindow window) {
        return of(window) != Long.MAX_VALUE;
    }
}
