package ai.dalsi.gateway.proxy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * Chooses the backend of a model for one attempt: the lowest priority first; within a priority, the
 * group's weighted rotation from this request's turn; never a backend the request already tried;
 * only a backend whose circuit lets a call through (asking takes the call's permission, so a
 * backend is asked only when it would be used).
 */
final class BackendSelector {

    /** What a choice found. */
    sealed interface Choice {
    }

    /** Use this backend; its breaker's permission is taken and must be reported. */
    record Chosen(int index, Backend backend, CircuitBreaker breaker) implements Choice {
    }

    /** Every backend not yet tried has its circuit open. */
    record AllOpen(int open) implements Choice {
    }

    /** Every backend was tried. */
    record Exhausted() implements Choice {
    }

    static final Exhausted EXHAUSTED = new Exhausted();

    private BackendSelector() {
    }

    /**
     * @param tried bit i set when backend i of the group was tried by this request
     * @param turn  this request's place in the rotation ({@link BackendGroup#nextTurn()}), the same for each attempt
     */
    static Choice choose(BackendGroup group, long tried, int turn, BackendHealth health) {
        int open = 0;
        for (int[] tier : group.rotations()) {
            long seen = tried;
            int n = tier.length;
            for (int k = 0; k < n; k++) {
                int i = tier[(turn + k) % n];
                long bit = 1L << i;
                if ((seen & bit) != 0) {
                    continue;
                }
                seen |= bit;
                Backend b = group.get(i);
                CircuitBreaker breaker = health.breaker(b.target());
                if (breaker.tryAcquirePermission()) {
                    return new Chosen(i, b, breaker);
                }
                open++;
            }
        }
        return open > 0 ? new AllOpen(open) : EXHAUSTED;
    }

    /** Whether some backend of the group was not tried yet (its circuit may still be open). */
    static boolean untried(BackendGroup group, long tried) {
        return Long.bitCount(tried) < group.size();
    }
}
