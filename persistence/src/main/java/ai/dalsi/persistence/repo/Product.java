package ai.dalsi.persistence.repo;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * An API product ({@code ai.chat}, {@code ai.code}, {@code ai.image}): the endpoints it owns and
 * what a key needs to call them.
 */
public record Product(
        UUID id,
        String name,
        String displayName,
        String description,
        String category,
        BigDecimal basePriceUsd,
        BigDecimal pricePer1kTokens,
        int maxTokensPerRequest,
        List<String> endpoints,
        List<String> requiredScopes,
        String requiredSubscriptionTier,
        boolean active,
        boolean isPublic) {

    public Product {
        endpoints = List.copyOf(endpoints);
        requiredScopes = List.copyOf(requiredScopes);
    }
}
