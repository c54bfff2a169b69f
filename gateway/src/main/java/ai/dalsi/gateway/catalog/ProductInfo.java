package ai.dalsi.gateway.catalog;

import ai.dalsi.gateway.auth.Tier;
import ai.dalsi.metering.ProductKind;
import java.math.BigDecimal;
import java.util.List;

/**
 * An API product as routing and authorization need it (from {@code api_products}).
 *
 * @param requiredScopes     scopes a key must all hold (e.g. {@code ai.chat})
 * @param requiredTier       lowest key tier allowed
 * @param maxTokensPerRequest largest {@code max_tokens} (times {@code n}) a request may ask for
 * @param kind               what its answers are ({@code api_products.kind}): how their usage is read and priced
 */
public record ProductInfo(
        String name,
        List<String> requiredScopes,
        Tier requiredTier,
        int maxTokensPerRequest,
        boolean active,
        BigDecimal pricePer1kTokens,
        BigDecimal basePriceUsd,
        ProductKind kind) {

    public ProductInfo {
        requiredScopes = List.copyOf(requiredScopes);
        java.util.Objects.requireNonNull(kind, "kind");
    }
}
