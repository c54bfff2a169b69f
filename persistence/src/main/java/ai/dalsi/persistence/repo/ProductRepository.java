package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;

import ai.dalsi.persistence.schema.tables.records.ApiProductsRecord;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;

/** API products. The edge caches {@link #findAll()} and refreshes it. */
public final class ProductRepository {

    private final DSLContext dsl;

    public ProductRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Every product, active or not, by name. */
    public List<Product> findAll() {
        return dsl.selectFrom(API_PRODUCTS).orderBy(API_PRODUCTS.NAME).fetch(ProductRepository::toProduct);
    }

    public Optional<Product> findById(UUID id) {
        return dsl.selectFrom(API_PRODUCTS).where(API_PRODUCTS.ID.eq(id)).fetchOptional(ProductRepository::toProduct);
    }

    /** Inserts a product, or updates the one with the same name; returns its id. */
    public UUID upsert(Product p) {
        return dsl.insertInto(API_PRODUCTS)
                .set(API_PRODUCTS.NAME, p.name())
                .set(API_PRODUCTS.DISPLAY_NAME, p.displayName())
                .set(API_PRODUCTS.DESCRIPTION, p.description())
                .set(API_PRODUCTS.CATEGORY, p.category())
                .set(API_PRODUCTS.BASE_PRICE_USD, p.basePriceUsd())
                .set(API_PRODUCTS.PRICE_PER_1K_TOKENS, p.pricePer1kTokens())
                .set(API_PRODUCTS.MAX_TOKENS_PER_REQUEST, p.maxTokensPerRequest())
                .set(API_PRODUCTS.ENDPOINTS, p.endpoints().toArray(String[]::new))
                .set(API_PRODUCTS.REQUIRED_SCOPES, p.requiredScopes().toArray(String[]::new))
                .set(API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER, p.requiredSubscriptionTier())
                .set(API_PRODUCTS.IS_ACTIVE, p.active())
                .set(API_PRODUCTS.IS_PUBLIC, p.isPublic())
                .onConflict(API_PRODUCTS.NAME)
                .doUpdate()
                .set(API_PRODUCTS.DISPLAY_NAME, p.displayName())
                .set(API_PRODUCTS.DESCRIPTION, p.description())
                .set(API_PRODUCTS.CATEGORY, p.category())
                .set(API_PRODUCTS.BASE_PRICE_USD, p.basePriceUsd())
                .set(API_PRODUCTS.PRICE_PER_1K_TOKENS, p.pricePer1kTokens())
                .set(API_PRODUCTS.MAX_TOKENS_PER_REQUEST, p.maxTokensPerRequest())
                .set(API_PRODUCTS.ENDPOINTS, p.endpoints().toArray(String[]::new))
                .set(API_PRODUCTS.REQUIRED_SCOPES, p.requiredScopes().toArray(String[]::new))
                .set(API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER, p.requiredSubscriptionTier())
                .set(API_PRODUCTS.IS_ACTIVE, p.active())
                .set(API_PRODUCTS.IS_PUBLIC, p.isPublic())
                .set(API_PRODUCTS.UPDATED_AT, java.time.Instant.now())
                .returning(API_PRODUCTS.ID)
                .fetchOne(API_PRODUCTS.ID);
    }

    static Product toProduct(ApiProductsRecord r) {
        return new Product(
                r.getId(),
                r.getName(),
                r.getDisplayName(),
                r.getDescription(),
                r.getCategory(),
                r.getBasePriceUsd(),
                r.getPricePer_1kTokens(),
                r.getMaxTokensPerRequest(),
                Arrays.asList(r.getEndpoints()),
                Arrays.asList(r.getRequiredScopes()),
                r.getRequiredSubscriptionTier(),
                r.getIsActive(),
                r.getIsPublic());
    }
}
