package ai.dalsi.gateway.flags;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The flags as one node knows them at one moment: an immutable snapshot the edge reads without a
 * lock on every request, replaced as a whole when the flags change ({@link FlagCache}).
 */
public final class FeatureFlags {

    /** No flag at all: nothing is switched off. */
    public static final FeatureFlags NONE = new FeatureFlags(List.of());

    private final Map<String, FeatureFlag> byName;

    public FeatureFlags(Collection<FeatureFlag> flags) {
        this.byName = flags.stream().collect(Collectors.toUnmodifiableMap(FeatureFlag::name, Function.identity()));
    }

    /** The flag, or null when there is no such row. */
    public FeatureFlag get(String name) {
        return byName.get(name);
    }

    /** The flag when it applies to this key ({@link FeatureFlag#onFor}), or null. */
    public FeatureFlag onFor(String name, UUID keyId) {
        FeatureFlag f = byName.get(name);
        return f != null && f.onFor(keyId) ? f : null;
    }

    /**
     * How many flags of a kind are enabled: {@code maintenance}, {@code product}, {@code model}
     * (by name prefix) or {@code other}.
     */
    public int enabledOfKind(String kind) {
        int n = 0;
        for (FeatureFlag f : byName.values()) {
            if (f.enabled() && kindOf(f.name()).equals(kind)) {
                n++;
            }
        }
        return n;
    }

    private static String kindOf(String name) {
        if (name.equals(FeatureFlag.MAINTENANCE)) {
            return "maintenance";
        }
        if (name.startsWith(FeatureFlag.PRODUCT_PREFIX)) {
            return "product";
        }
        return name.startsWith(FeatureFlag.MODEL_PREFIX) ? "model" : "other";
    }

    public int size() {
        return byName.size();
    }
}
