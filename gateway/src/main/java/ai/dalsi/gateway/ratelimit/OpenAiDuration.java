package ai.dalsi.gateway.ratelimit;

/**
 * Durations as OpenAI writes them in {@code x-ratelimit-reset-*} headers (Go's duration format at
 * millisecond precision): {@code 0s}, {@code 250ms}, {@code 1s}, {@code 1.5s}, {@code 6m0s},
 * {@code 1h0m0s}.
 */
public final class OpenAiDuration {

    private OpenAiDuration() {
    }

    /** The duration, rounded up to whole milliseconds. */
    public static String format(long nanos) {
        if (nanos <= 0) {
            return "0s";
        }
        long millis = (nanos + 999_999) / 1_000_000;
        if (millis < 1000) {
            return millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = (millis / 60_000) % 60;
        long seconds = (millis / 1000) % 60;
        long frac = millis % 1000;
        StringBuilder sb = new StringBuilder(16);
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        sb.append(seconds);
        if (frac > 0) {
            sb.append('.');
            if (frac < 100) {
                sb.append('0');
            }
            if (frac < 10) {
                sb.append('0');
            }
            int len = sb.length();
            sb.append(frac);
            while (sb.charAt(sb.length() - 1) == '0' && sb.length() > len) {
                sb.setLength(sb.length() - 1);
            }
        }
        return sb.append('s').toString();
    }

    /** Whole seconds, rounded up, for {@code retry-after}; at least 1 for any wait. */
    public static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999) / 1_000_000_000;
    }

    /** Whole milliseconds, rounded up, for {@code retry-after-ms}. */
    public static long ceilMillis(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999) / 1_000_000;
    }
}
