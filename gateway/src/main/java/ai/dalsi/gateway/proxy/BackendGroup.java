package ai.dalsi.gateway.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backends of one model and the client headers that may go to them. Immutable apart from a
 * rotation counter that spreads requests over backends of the same priority in proportion to their
 * weights (smooth weighted round robin, as nginx does it: weights 2 and 1 give A, B, A, ...).
 * Shared by every event loop.
 */
public final class BackendGroup {

    /** A request tracks the backends it tried in one long: at most this many per model. */
    public static final int MAX_BACKENDS = 64;

    private final List<Backend> backends;
    private final HeaderAllowlist forwardHeaders;
    /** Per priority, lowest first: the order of one rotation, as indexes into {@link #backends}. */
    private final int[][] rotations;
    private final AtomicInteger turn = new AtomicInteger();

    public BackendGroup(List<Backend> backends, HeaderAllowlist forwardHeaders) {
        this.backends = List.copyOf(backends);
        this.forwardHeaders = Objects.requireNonNull(forwardHeaders, "forwardHeaders");
        if (this.backends.isEmpty()) {
            throw new IllegalArgumentException("backends: [] (expected: at least one backend)");
        }
        if (this.backends.size() > MAX_BACKENDS) {
            throw new IllegalArgumentException("backends: " + this.backends.size() + " (expected: at most " + MAX_BACKENDS + ")");
        }
        TreeMap<Integer, List<Integer>> tiers = new TreeMap<>();
        for (int i = 0; i < this.backends.size(); i++) {
            tiers.computeIfAbsent(this.backends.get(i).priority(), p -> new ArrayList<>()).add(i);
        }
        this.rotations = tiers.values().stream().map(this::rotation).toArray(int[][]::new);
    }

    /** One backend, default headers. */
    public static BackendGroup single(BackendTarget target) {
        return new BackendGroup(List.of(Backend.of(target)), HeaderAllowlist.DEFAULT);
    }

    public List<Backend> backends() {
        return backends;
    }

    public HeaderAllowlist forwardHeaders() {
        return forwardHeaders;
    }

    /** The same backends with another header allowlist. */
    public BackendGroup withForwardHeaders(HeaderAllowlist headers) {
        return new BackendGroup(backends, headers);
    }

    int size() {
        return backends.size();
    }

    Backend get(int index) {
        return backends.get(index);
    }

    /** The tiers of backends by priority, lowest first, each in rotation order (weights repeated). */
    int[][] rotations() {
        return rotations;
    }

    /** Where this request starts in each tier's rotation. */
    int nextTurn() {
        return turn.getAndIncrement() & Integer.MAX_VALUE;
    }

    /** Smooth weighted round robin over one tier: each backend appears {@code weight} times, spread out. */
    private int[] rotation(List<Integer> tier) {
        int total = 0;
        for (int i : tier) {
            total += backends.get(i).weight();
        }
        int[] order = new int[total];
        int[] current = new int[tier.size()];
        for (int slot = 0; slot < total; slot++) {
            int best = 0;
            for (int k = 0; k < tier.size(); k++) {
                current[k] += backends.get(tier.get(k)).weight();
                if (current[k] > current[best]) {
                    best = k;
                }
            }
            current[best] -= total;
            order[slot] = tier.get(best);
        }
        return order;
    }

    @Override
    public String toString() {
        return "BackendGroup" + backends.stream().map(b -> b.target().name() + (b.weight() == 1 ? "" : " weight " + b.weight())
                + (b.priority() == 0 ? "" : " priority " + b.priority())
                + (b.upstreamModel() == null ? "" : " as " + b.upstreamModel())).toList();
    }
}
