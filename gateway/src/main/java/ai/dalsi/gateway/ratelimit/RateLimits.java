package ai.dalsi.gateway.ratelimit;

/**
 * A key's request limits per minute, hour and day ({@code api_keys.rate_limit_per_*}), or
 * {@link #UNLIMITED} for internal keys.
 */
public record RateLimits(long perMinute, long perHour, long perDay) {

    /** No limits at all ({@code is_internal} keys). */
    public static final RateLimits UNLIMITED = new RateLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    public RateLimits {
        if (perMinute < 1 || perHour < 1 || perDay < 1) {
            throw new IllegalArgumentException("rate limits must be positive: " + perMinute + "/" + perHour + "/" + perDay);
        }
    }

    /** Whether these are {@link #UNLIMITED}. */
    public boolean unlimited() {
        return perMinute == Long.MAX_VALUE && perHour == Long.MAX_VALUE && perDay == Long.MAX_VALUE;
    }

    /** The limit of a window. */
    public long of(RateWindow window) {
        return switch (window) {
            case MINUTE -> perMinute;
            case HOUR -> perHour;
            case DAY -> perDay;
        };
    }
}
