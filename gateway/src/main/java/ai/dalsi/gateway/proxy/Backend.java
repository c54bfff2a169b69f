package ai.dalsi.gateway.proxy;

import java.util.Objects;

/**
 * One backend of a model: where it is, and how the proxy chooses among the model's backends.
 *
 * @param target        where, and the upstream key
 * @param weight        share of the requests among backends of the same priority (1..100)
 * @param priority      lower is preferred: backends of a higher number get requests only when every
 *                      backend of a lower one has its circuit open or was already tried for the request
 * @param upstreamModel the model name this backend knows the public model by (an alias, e.g. a
 *                      provider's {@code gpt-4o-mini} for the public {@code dalsi-ai}), or null to send
 *                      the client's
 */
public record Backend(BackendTarget target, int weight, int priority, String upstreamModel) {

    public static final int MAX_WEIGHT = 100;

    public Backend {
        Objects.requireNonNull(target, "target");
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1.." + MAX_WEIGHT + ")");
        }
        if (priority < 0) {
            throw new IllegalArgumentException("priority: " + priority + " (expected: >= 0)");
        }
        if (upstreamModel != null && (upstreamModel.isBlank() || upstreamModel.chars().anyMatch(Character::isISOControl))) {
            throw new IllegalArgumentException("model: blank or contains a control character (expected: a model id)");
        }
    }

    /** A backend of weight 1, priority 0, no alias. */
    public static Backend of(BackendTarget target) {
        return new Backend(target, 1, 0, null);
    }
}
