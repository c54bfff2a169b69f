package ai.dalsi.loadtest.gen;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;

/**
 * Relative weights of the request kinds in a run, e.g. {@code chat=60,stream=20,completion=10,image=5,models=5}.
 * Picking is a weighted random choice, so the shares hold on average over a run.
 */
public final class RequestMix {

    /** The default: mostly chat, a fifth of it streaming, a little of everything else. */
    public static final RequestMix DEFAULT = parse("chat=60,stream=20,completion=10,image=5,models=5");

    private final EnumMap<RequestKind, Integer> weights;
    private final RequestKind[] kinds;
    private final int[] cumulative;
    private final int total;

    private RequestMix(EnumMap<RequestKind, Integer> weights) {
        this.weights = new EnumMap<>(weights);
        this.kinds = weights.keySet().toArray(RequestKind[]::new);
        this.cumulative = new int[kinds.length];
        int sum = 0;
        for (int i = 0; i < kinds.length; i++) {
            sum += weights.get(kinds[i]);
            cumulative[i] = sum;
        }
        this.total = sum;
    }

    /** One kind only. */
    public static RequestMix only(RequestKind kind) {
        EnumMap<RequestKind, Integer> w = new EnumMap<>(RequestKind.class);
        w.put(kind, 1);
        return new RequestMix(w);
    }

    /** Parses {@code kind=weight,...}; weights are non-negative integers, at least one positive. */
    public static RequestMix parse(String text) {
        EnumMap<RequestKind, Integer> w = new EnumMap<>(RequestKind.class);
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            RequestKind kind = RequestKind.ofLabel(eq < 0 ? part : part.substring(0, eq));
            int weight;
            try {
                weight = eq < 0 ? 1 : Integer.parseInt(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--mix: weight of " + kind.label() + " is not a whole number: '"
                        + part.substring(eq + 1).trim() + "'");
            }
            if (weight < 0) {
                throw new IllegalArgumentException("--mix: weight of " + kind.label() + ": " + weight + " (expected: >= 0)");
            }
            if (weight > 0) {
                w.merge(kind, weight, Integer::sum);
            }
        }
        if (w.isEmpty()) {
            throw new IllegalArgumentException("--mix: '" + text + "' (expected: at least one kind with a positive weight)");
        }
        return new RequestMix(w);
    }

    /** A kind chosen with probability proportional to its weight. */
    public RequestKind pick(SplittableRandom random) {
        if (kinds.length == 1) {
            return kinds[0];
        }
        int r = random.nextInt(total);
        for (int i = 0; i < cumulative.length; i++) {
            if (r < cumulative[i]) {
                return kinds[i];
            }
        }
        return kinds[kinds.length - 1];
    }

    /** The weights, by kind. */
    public Map<RequestKind, Integer> weights() {
        return java.util.Collections.unmodifiableMap(weights);
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(",");
        weights.forEach((k, v) -> j.add(k.label() + "=" + v));
        return j.toString();
    }
}
