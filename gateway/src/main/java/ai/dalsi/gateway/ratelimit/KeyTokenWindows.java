package ai.dalsi.gateway.ratelimit;

/**
 * One key's token windows (minute and day), checked and changed together under this object's
 * monitor: a reservation enters both or neither. Each call holds it for a few hundred nanoseconds
 * of arithmetic (a refusal walks at most 97 slots), never across I/O.
 *
 * <p>Both windows count tokens even when only one is limited, so a limit set later starts from what
 * the key really used.
 */
final class KeyTokenWindows {

    private static final TokenWindow[] WINDOWS = TokenWindow.values();

    private final SlidingTokenWindow[] windows = new SlidingTokenWindow[WINDOWS.length];

    KeyTokenWindows() {
        for (int i = 0; i < WINDOWS.length; i++) {
            windows[i] = new SlidingTokenWindow(WINDOWS[i]);
        }
    }

    /**
     * Reserves {@code tokens} at {@code now} if every limited window has room, else returns the
     * refusal (reserving nothing): the window that cannot ever take them if one cannot, else the
     * one that takes longest to.
     */
    synchronized AdmissionDecision.TokensRefused tryReserve(long now, long tokens, TokenLimits limits,
            RateLimitDecision requests) {
        AdmissionDecision.TokensRefused refusal = null;
        for (SlidingTokenWindow w : windows) {
            long limit = limits.of(w.window());
            if (!limits.limits(w.window()) || w.fits(now, tokens, limit)) {
                continue;
            }
            long retry = w.retryAfterNanos(now, tokens, limit);
            boolean exceeds = retry < 0;
            AdmissionDecision.TokensRefused r = new AdmissionDecision.TokensRefused(w.window(), limit, w.used(now),
                    tokens, exceeds ? 0 : retry, w.resetNanos(now), exceeds, requests);
            if (refusal == null || worse(r, refusal)) {
                refusal = r;
            }
        }
        if (refusal != null) {
            return refusal;
        }
        for (SlidingTokenWindow w : windows) {
            w.add(now, tokens);
        }
        return null;
    }

    private static boolean worse(AdmissionDecision.TokensRefused a, AdmissionDecision.TokensRefused b) {
        if (a.exceedsLimit() != b.exceedsLimit()) {
            return a.exceedsLimit();
        }
        return a.retryAfterNanos() > b.retryAfterNanos();
    }

    /** Moves a reservation of {@code reserved} tokens made at {@code reservedAt} to {@code actual}. */
    synchronized void settle(long now, long reservedAt, long reserved, long actual) {
        for (SlidingTokenWindow w : windows) {
            w.settle(now, reservedAt, reserved, actual);
        }
    }

    /** The tightest limited window at {@code now} (fewest tokens left), or null when none is limited. */
    synchronized TokenStatus status(long now, TokenLimits limits) {
        TokenStatus tightest = null;
        for (SlidingTokenWindow w : windows) {
            if (!limits.limits(w.window())) {
                continue;
            }
            long limit = limits.of(w.window());
            long remaining = Math.max(0, limit - w.used(now));
            if (tightest == null || remaining < tightest.remaining()) {
                tightest = new TokenStatus(w.window(), limit, remaining, w.resetNanos(now));
            }
        }
        return tightest;
    }

    /** Tokens counted in a window at {@code now} (for tests and diagnostics). */
    synchronized long used(TokenWindow window, long now) {
        return windows[window.ordinal()].used(now);
    }
}
