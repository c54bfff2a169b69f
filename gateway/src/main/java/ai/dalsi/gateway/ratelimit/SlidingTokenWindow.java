package ai.dalsi.gateway.ratelimit;

/**
 * One key's tokens in one window ({@link TokenWindow}): a sliding window of S fine slots (a minute
 * of 60 one-second slots, a day of 96 quarter-hours), counted conservatively. Not thread-safe: its
 * owner ({@link KeyTokenWindows}) serialises access.
 *
 * <h2>Why not a token bucket</h2>
 * A greedy-refill bucket of capacity L refilling L per minute admits L at once and then L more
 * trickling in over the next minute: up to 2L in one sliding minute. "Never more than L tokens in any
 * minute" is then false, and an operator who sells 1,000 TPM would see 2,000. A sliding window with
 * exact per-request timestamps would be exact but costs memory per request; fixed windows allow 2L
 * across a boundary. Fine slots counted conservatively keep the promise with constant memory.
 *
 * <h2>The rule</h2>
 * Time is cut into slots of width w = period / S, slot i being {@code [i*w, (i+1)*w)}. A request
 * admitted at instant t is recorded in slot {@code floor(t / w)} with its worst case. At t the
 * window counts the current slot and the S before it, in full: S + 1 slots, which cover
 * {@code (t - period, t]} and up to one slot more (that is the conservatism: a refusal can come up
 * to w early, never late). A request is admitted only if {@code counted + worst case <= limit}.
 *
 * <h2>The bound (what is promised)</h2>
 * Take any interval of one period and the last request admitted in it at t*. Every request admitted
 * earlier in the interval lies in a slot the window counted at t*, with its worst case while in
 * flight and its real usage once settled (settlement moves its slot by real minus reserved while the
 * slot is still counted, and adds any excess to the current slot once it is not). So the real usage
 * of the requests admitted in the interval is at most the limit plus what those requests used beyond
 * their reservations: <b>a limit is overshot at most by what admitted requests use beyond their
 * worst case, which is zero when the backend honours {@code max_tokens}</b> (and the prompt count
 * matches the backend's). Tokens are attributed to the instant their request was admitted, which is
 * also the instant the ledger's row carries.
 *
 * <h2>One Redis script</h2>
 * The state is a handful of integers keyed by absolute slot index (no per-request entries), so the
 * same check maps onto one Lua script per request: drop slots older than {@code now - S}, sum the
 * rest (or keep a running total beside them), compare, add to the current slot; settlement adds
 * {@code real - reserved} to the reservation's slot if it still exists. Slot indexes are absolute
 * ({@code floor(t / w)}), so every node agrees on them given a shared clock.
 */
final class SlidingTokenWindow {

    private final TokenWindow window;
    private final long slotNanos;
    private final int slots;
    /** Tokens per slot, for slots {@code newest - slots .. newest}, at {@code floorMod(slot, slots + 1)}. */
    private final long[] counts;
    private long newest = Long.MIN_VALUE;
    private long total;

    SlidingTokenWindow(TokenWindow window) {
        this.window = window;
        this.slotNanos = window.slotNanos();
        this.slots = window.slots();
        this.counts = new long[slots + 1];
    }

    /** The slot an instant falls in. */
    long slotOf(long nanos) {
        return Math.floorDiv(nanos, slotNanos);
    }

    /** Tokens counted at {@code now}. */
    long used(long now) {
        advance(slotOf(now));
        return total;
    }

    /** Whether {@code tokens} more fit under {@code limit} at {@code now}. */
    boolean fits(long now, long tokens, long limit) {
        return tokens <= limit - used(now);
    }

    /** Records {@code tokens} at {@code now}. */
    void add(long now, long tokens) {
        long slot = slotOf(now);
        advance(slot);
        counts[index(slot)] += tokens;
        total += tokens;
    }

    /**
     * Moves a reservation made at {@code reservedAt} from its worst case to what was really used:
     * in its own slot while that slot is counted (never below zero), else an excess goes into the
     * current slot and a saving is moot (the slot no longer counts).
     */
    void settle(long now, long reservedAt, long reserved, long actual) {
        long current = slotOf(now);
        advance(current);
        long delta = actual - reserved;
        long slot = slotOf(reservedAt);
        if (slot <= newest && slot >= newest - slots) {
            int i = index(slot);
            long applied = Math.max(delta, -counts[i]);
            counts[i] += applied;
            total += applied;
        } else if (delta > 0) {
            counts[index(newest)] += delta;
            total += delta;
        }
    }

    /**
     * Until {@code tokens} would fit under {@code limit} if nothing else came: the wait until enough
     * of the oldest slots have left the window. -1 when they never fit ({@code tokens > limit}).
     */
    long retryAfterNanos(long now, long tokens, long limit) {
        if (tokens > limit) {
            return -1;
        }
        long need = used(now) - (limit - tokens);
        if (need <= 0) {
            return 0;
        }
        long freed = 0;
        for (long slot = newest - slots; slot <= newest; slot++) {
            freed += counts[index(slot)];
            if (freed >= need) {
                return leavesAt(slot) - now;
            }
        }
        return leavesAt(newest) - now;
    }

    /** Until the window is empty: when its newest non-empty slot leaves it; 0 when it is empty. */
    long resetNanos(long now) {
        if (used(now) == 0) {
            return 0;
        }
        for (long slot = newest; slot >= newest - slots; slot--) {
            if (counts[index(slot)] != 0) {
                return leavesAt(slot) - now;
            }
        }
        return 0;
    }

    TokenWindow window() {
        return window;
    }

    /** The instant a slot stops being counted: when the current slot is {@code slot + slots + 1}. */
    private long leavesAt(long slot) {
        return (slot + slots + 1) * slotNanos;
    }

    /** Drops the slots that are no longer counted when the current slot is {@code current}. */
    private void advance(long current) {
        if (newest == Long.MIN_VALUE) {
            newest = current;
            return;
        }
        if (current <= newest) {
            return;
        }
        long gap = current - newest;
        if (gap > slots) {
            java.util.Arrays.fill(counts, 0);
            total = 0;
        } else {
            for (long s = newest + 1; s <= current; s++) {
                int i = index(s);
                total -= counts[i];
                counts[i] = 0;
            }
        }
        newest = current;
    }

    private int index(long slot) {
        return (int) Math.floorMod(slot, (long) slots + 1);
    }
}
