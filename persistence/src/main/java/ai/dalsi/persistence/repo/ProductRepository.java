package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;

import ai.dalsi.persistence.schema.tables.records.ApiProductsRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;

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
        Map<Field<?>, Object> values = new LinkedHashMap<>();
        values.put(API_PRODUCTS.DISPLAY_NAME, p.displayName());
        values.put(API_PRODUCTS.DESCRIPTION, p.description());
        values.put(API_PRODUCTS.CATEGORY, p.category());
        values.put(API_PRODUCTS.BASE_PRICE_USD, p.basePriceUsd());
        values.put(API_PRODUCTS.PRICE_PER_1K_TOKENS, p.pricePer1kTokens());
        values.put(API_PRODUCTS.MAX_TOKENS_PER_REQUEST, p.maxTokensPerRequest());
        values.put(API_PRODUCTS.ENDPOINTS, p.endpoints().toArray(String[]::new));
        values.put(API_PRODUCTS.REQUIRED_SCOPES, p.requiredScopes().toArray(String[]::new));
        values.put(API_PRODUCTS.REQUIRED_SUBSCRIPTION_TIER, p.requiredSubscriptionTier());
        values.put(API_PRODUCTS.IS_ACTIVE, p.active());
        values.put(API_PRODUCTS.IS_PUBLIC, p.isPublic());
        values.put(API_PRODUCTS.KIND, p.kind());
        return dsl.insertInto(API_PRODUCTS)
                .set(API_PRODUCTS.NAME, p.name())
                .set(values)
                .onConflict(API_PRODUCTS.NAME)
                .doUpdate()
                .set(values)
                .set(API_PRODUCTS.UPDATED_AT, Instant.now())
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
                r.getIsPublic(),
                r.getKind());
    }
}
