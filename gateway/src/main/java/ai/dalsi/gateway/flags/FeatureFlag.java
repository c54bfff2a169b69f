package ai.dalsi.gateway.flags;

import java.time.Instant;
import java.util.UUID;

/**
 * One {@code feature_flags} row.
 *
 * @param id                 the row's id
 * @param name               {@code maintenance}, {@code product:<name>}, {@code model:<name>}, or any other
 * @param description        what it is for, or null
 * @param enabled            {@code is_enabled}
 * @param rolloutPercentage  the share of keys it applies to when enabled, 0 to 100
 * @param createdAt          when the row was created
 * @param updatedAt          when it last changed
 */
public record FeatureFlag(UUID id, String name, String description, boolean enabled, int rolloutPercentage,
        Instant createdAt, Instant updatedAt) {

    /** The flag every node honours for the whole public port. */
    public static final String MAINTENANCE = "maintenance";
    /** Prefix of a product's kill switch, followed by the product's name. */
    public static final String PRODUCT_PREFIX = "product:";
    /** Prefix of a model's kill switch, followed by the model's name. */
    public static final String MODEL_PREFIX = "model:";

    /** Whether the flag applies to the key: enabled, and the key in its rollout ({@link Rollout}). */
    public boolean onFor(UUID keyId) {
        return enabled && Rollout.includes(rolloutPercentage, name, keyId);
    }

    /** Whether it applies to every key, whoever asks (so also to requests without one). */
    public boolean onForEveryone() {
        return enabled && rolloutPercentage >= 100;
    }
}
