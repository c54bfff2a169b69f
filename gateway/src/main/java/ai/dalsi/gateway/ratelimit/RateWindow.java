package ai.dalsi.gateway.ratelimit;

import java.time.Duration;

/** The three windows every key is limited in at once. */
public enum RateWindow {
    MINUTE(Duration.ofMinutes(1), "per minute"),
    HOUR(Duration.ofHours(1), "per hour"),
    DAY(Duration.ofDays(1), "per day");

    private final Duration period;
    private final String phrase;

    RateWindow(Duration period, String phrase) {
        this.period = period;
        this.phrase = phrase;
    }

    public Duration period() {
        return period;
    }

    /** How a message names the window: {@code "per minute"}. */
    public String phrase() {
        return phrase;
    }
}
