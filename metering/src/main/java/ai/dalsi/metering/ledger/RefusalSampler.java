package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Picks which refused requests keep a full row as an example: the first {@code perMinute} of
 * each key in each minute (of the requests' own time), so a refusal flood costs a bounded number
 * of rows while an operator still sees what was refused and why. The rest are only counted.
 *
 * <p>The writer has one, and so has each thread that journals events, to tell which refusals may
 * become examples at all; each instance is used by one thread. Its memory is bounded: one entry
 * per key seen, forgotten all at once past {@value #MAX_KEYS} keys (which can only let a few more
 * examples through; at an appending thread, only more refusals journaled whole). After a
 * restart it starts empty, so a minute that spans the restart may keep up to twice the examples:
 * the bound is on rows per key and minute per writer, not an exact count.
 */
final class RefusalSampler {

    static final int MAX_KEYS = 100_000;

    private final int perMinute;
    /** Per key: the minute counted in and how many examples it kept. */
    private final Map<UUID, long[]> keys = new HashMap<>();

    RefusalSampler(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Whether this refused request is kept as a row (true) or only counted (false). */
    boolean sample(UsageEvent e) {
        if (perMinute == 0) {
            return false;
        }
        long minute = UuidV7.epochMillis(e.requestId()) / 60_000; // createdAt()'s minute, without an Instant
        long[] m = keys.get(e.apiKeyId());
        if (m == null) {
            if (keys.size() >= MAX_KEYS) {
                keys.clear();
            }
            m = new long[] {minute, 0};
            keys.put(e.apiKeyId(), m);
        } else if (m[0] < minute) {
            m[0] = minute;
            m[1] = 0;
        }
        if (m[1] >= perMinute) {
            return false;
        }
        m[1]++;
        return true;
    }
}
