package ai.dalsi.gateway.ratelimit;

import java.time.Duration;

/**
 * The windows a key's tokens are limited in: a sliding minute and a sliding day, each kept as
 * {@link #slots()} fine slots ({@link SlidingTokenWindow} says why and how).
 */
public enum TokenWindow {
    /** 60 slots of one second. */
    MINUTE(Duration.ofMinutes(1), 60, "tokens per min (TPM)"),
    /** 96 slots of 15 minutes. */
    DAY(Duration.ofDays(1), 96, "tokens per day (TPD)");

    private final Duration period;
    private final int slots;
    private final long slotNanos;
    private final String phrase;

    TokenWindow(Duration period, int slots, String phrase) {
        this.period = period;
        this.slots = slots;
        this.slotNanos = period.toNanos() / slots;
        this.phrase = phrase;
    }

    public Duration period() {
        return period;
    }

    /** Slots the period is divided into. */
    public int slots() {
        return slots;
    }

    /** Length of one slot: the most a refusal can be early by (a slot counts until all of it is out). */
    public long slotNanos() {
        return slotNanos;
    }

    /** How OpenAI's messages name the window: {@code tokens per min (TPM)}. */
    public String phrase() {
        return phrase;
    }
}
