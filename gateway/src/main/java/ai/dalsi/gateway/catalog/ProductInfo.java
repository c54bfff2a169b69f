package ai.dalsi.gateway.catalog;

import ai.dalsi.gateway.auth.Tier;
import java.math.BigDecimal;
import java.util.List;

/**
 * An API product as routing and authorization need it (from {@code api_products}).
 *
 * @param requiredScopes     scopes a key must all hold (e.g. {@code ai.chat})
 * @param requiredTier       lowest key tier allowed
 * @param maxTokensPerRequest largest {@code max_tokens} (times {@code n}) a request may ask for
 * @param imageProduct       whether its endpoints generate images (usage estimates count images)
 */
public record ProductInfo(
        String name,
        List<String> requiredScopes,
        Tier requiredTier,
        int maxTokensPerRequest,
        boolean active,
        BigDecimal pricePer1kTokens,
        BigDecimal basePriceUsd,
        boolean imageProduct) {

    public ProductInfo {
        requiredScopes = List.copyOf(requiredScopes);
    }
}
