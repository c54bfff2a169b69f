package ai.dalsi.persistence.repo;

import java.util.UUID;

/**
 * A model the API serves, addressed by {@code name} in requests.
 *
 * @param capabilitiesJson the {@code capabilities} jsonb as text
 * @param pricingJson      the {@code pricing} jsonb as text: input/output price per 1k tokens, price per image
 */
public record Model(
        UUID id,
        String name,
        String version,
        String type,
        String capabilitiesJson,
        String pricingJson,
        boolean active,
        boolean requiresSubscription) {
}
