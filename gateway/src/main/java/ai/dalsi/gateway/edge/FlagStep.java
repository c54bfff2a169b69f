package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.catalog.RouteMatch;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.flags.FeatureFlag;
import ai.dalsi.gateway.flags.FeatureFlags;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The kill switches of {@code feature_flags}: {@code maintenance} for the whole public port, and
 * {@code product:<name>} and {@code model:<name>} for one product or model. A switch that is on
 * ({@link FeatureFlag#onFor}: enabled, and the key within its rollout) refuses with 503
 * {@code service_unavailable} naming the switch; maintenance adds {@code retry-after}.
 *
 * <p>Two instances run: {@link #maintenanceForEveryone} right after the context step, so a
 * maintenance for all keys refuses even requests without a valid key (and costs no key load), and
 * {@link #perKey} after authorize, where the key, the product and the model are known. The rate
 * limit step comes after, so a switched-off request takes nothing from the key's limits.
 */
final class FlagStep implements ExchangeStep {

    /** The {@code retry-after} of a maintenance refusal, in seconds. */
    static final long MAINTENANCE_RETRY_AFTER_SECONDS = 60;

    private final Supplier<FeatureFlags> flags;
    private final boolean perKey;

    private FlagStep(Supplier<FeatureFlags> flags, boolean perKey) {
        this.flags = flags;
        this.perKey = perKey;
    }

    /** Refuses every request while {@code maintenance} is on for 100% of keys. */
    static FlagStep maintenanceForEveryone(Supplier<FeatureFlags> flags) {
        return new FlagStep(flags, false);
    }

    /** Refuses the key's request when maintenance, the product's or the model's switch is on for it. */
    static FlagStep perKey(Supplier<FeatureFlags> flags) {
        return new FlagStep(flags, true);
    }

    @Override
    public StepResult apply(Exchange ex) {
        FeatureFlags f = flags.get();
        if (f.size() == 0) {
            return Learned.NOTHING;
        }
        if (!perKey) {
            FeatureFlag m = f.get(FeatureFlag.MAINTENANCE);
            return m != null && m.onForEveryone() ? maintenance() : Learned.NOTHING;
        }
        UUID keyId = ex.key().id();
        if (f.onFor(FeatureFlag.MAINTENANCE, keyId) != null) {
            return maintenance();
        }
        RouteMatch route = ex.route();
        if (route instanceof RouteMatch.ProductEndpoint && ex.product() != null) {
            String name = FeatureFlag.PRODUCT_PREFIX + ex.product().name();
            if (f.onFor(name, keyId) != null) {
                return StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE, "The product '" + ex.product().name()
                        + "' is switched off (feature flag '" + name + "'); please try again later.");
            }
        }
        String model = ex.modelName();
        if (model != null && (route instanceof RouteMatch.ProductEndpoint || route instanceof RouteMatch.ModelRetrieve)) {
            String name = FeatureFlag.MODEL_PREFIX + model;
            if (f.onFor(name, keyId) != null) {
                return StepResult.Refusal.of(ErrorCode.SERVICE_UNAVAILABLE, "The model '" + model
                        + "' is switched off (feature flag '" + name + "'); please try again later.", "model");
            }
        }
        return Learned.NOTHING;
    }

    private static StepResult.Refusal maintenance() {
        return new StepResult.Refusal(ErrorCode.SERVICE_UNAVAILABLE, "The API is down for maintenance (feature flag '"
                + FeatureFlag.MAINTENANCE + "'); please try again later.", null, null,
                new Learned.Paused(MAINTENANCE_RETRY_AFTER_SECONDS));
    }
}
