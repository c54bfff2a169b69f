package ai.dalsi.persistence.repo;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * An API product ({@code ai.chat}, {@code ai.code}, {@code ai.image}, ...): the endpoints it owns,
 * what a key needs to call them, and its {@code kind} ({@code chat}, {@code completion},
 * {@code embedding}, {@code image} or {@code responses}: how its usage is read and priced).
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
        boolean isPublic,
        String kind) {

    public Product {
        endpoints = List.copyOf(endpoints);
        requiredScopes = List.copyOf(requiredScopes);
        java.util.Objects.requireNonNull(kind, "kind");
    }
}
