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
 * the bound is on rows per key and minute per writer, not an exact count. A key's refusals may come
 * a minute out of order (the end of one minute after the start of the next) and still count in
 * their own minute; one two or more minutes older than a minute already counted for its key is
 * only counted.
 */
final class RefusalSampler {

    static final int MAX_KEYS = 100_000;

    private final int perMinute;
    /**
     * Per key: the last two minutes counted in, each with how many examples it kept ({@code [minute,
     * kept]} pairs; a minute's pair is chosen by its number's lowest bit). Two, because events reach
     * the writer a little out of their time order (two threads' journal records interleave), so
     * the end of one minute may still come after the start of the next.
     */
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
            m = new long[] {-1, 0, -1, 0};
            keys.put(e.apiKeyId(), m);
        }
        int at = (int) (minute & 1) * 2;
        if (m[at] < minute) {
            m[at] = minute;
            m[at + 1] = 0;
        } else if (m[at] > minute) {
            // Two or more minutes older than one already counted in: its minute's examples are past.
            return false;
        }
        if (m[at + 1] >= perMinute) {
            return false;
        }
        m[at + 1]++;
        return true;
    }
}
