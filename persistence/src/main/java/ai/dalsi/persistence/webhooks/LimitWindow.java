package ai.dalsi.persistence.webhooks;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The rate-limit windows a {@code key.rate_limited} event is counted in: UTC minutes, hours and
 * days, so that every node and every replay of a ledger batch agrees on which window a refused
 * request belongs to.
 */
public enum LimitWindow {
    MINUTE(Duration.ofMinutes(1)),
    HOUR(Duration.ofHours(1)),
    DAY(Duration.ofDays(1));

    private final Duration length;

    LimitWindow(Duration length) {
        this.length = length;
    }

    /** How the payload names it: {@code minute}, {@code hour}, {@code day}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The start of the window that contains {@code at} (UTC-aligned). */
    public Instant start(Instant at) {
        long size = length.getSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(at.getEpochSecond(), size) * size);
    }

    /** The end (exclusive) of the window that contains {@code at}. */
    public Instant end(Instant at) {
        return start(at).plus(length);
    }
}
