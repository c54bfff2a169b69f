package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;
import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;

import ai.dalsi.persistence.schema.tables.records.AiModelsRecord;
import ai.dalsi.persistence.schema.tables.records.ApiProductsRecord;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.exception.IntegrityConstraintViolationException;

/**
 * Products ({@code api_products}) and models ({@code ai_models}): list, read, create, change. The
 * edge caches both and refreshes them; changes here reach it on its next refresh.
 */
final class CatalogService {

    /** A product as the API shows it. */
    record ProductView(UUID id, String name, String displayName, String description, String category,
            BigDecimal basePriceUsd,
            @JsonProperty("price_per_1k_tokens") BigDecimal pricePer1kTokens, int maxTokensPerRequest, List<String> endpoints,
            List<String> requiredScopes, String requiredSubscriptionTier, boolean isActive, boolean isPublic,
            String kind, Instant createdAt, Instant updatedAt) {
        static ProductView of(ApiProductsRecord r) {
            return new ProductView(r.getId(), r.getName(), r.getDisplayName(), r.getDescription(), r.getCategory(),
                    r.getBasePriceUsd(), r.getPricePer_1kTokens(), r.getMaxTokensPerRequest(),
                    Arrays.asList(r.getEndpoints()), Arrays.asList(r.getRequiredScopes()),
                    r.getRequiredSubscriptionTier(), r.getIsActive(), r.getIsPublic(), r.getKind(), r.getCreatedAt(),
                    r.getUpdatedAt());
        }
    }

    /** A model as the API shows it; capabilities and pricing as JSON objects. */
    record ModelView(UUID id, String name, String version, String type, JsonNode capabilities, JsonNode pricing,
            boolean isActive, boolean requiresSubscription, Instant createdAt, Instant updatedAt) {
        static ModelView of(AiModelsRecord r) {
            return new ModelView(r.getId(), r.getName(), r.getVersion(), r.getType(),
                    AdminJson.tree(r.getCapabilities().data()), AdminJson.tree(r.getPricing().data()), r.getIsActive(),
                    r.getRequiresSubscription(), r.getCreatedAt(), r.getUpdatedAt());
        }
    }

    private final DSLContext dsl;
    private final Clock clock;

    CatalogService(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    List<ProductView> products() {
        return dsl.selectFrom(API_PRODUCTS).orderBy(API_PRODUCTS.NAME).fetch(ProductView::of);
    }

    ProductView product(UUID id) {
        ApiProductsRecord r = dsl.selectFrom(API_PRODUCTS).where(API_PRODUCTS.ID.eq(id)).fetchOne();
        if (r == null) {
            throw AdminProblem.notFound("no product with id " + id);
        }
        return ProductView.of(r);
    }

    /**
     * Creates ({@code id == null}) or changes a product with the given column values, refusing an
     * endpoint that another product already serves (the edge must map each path to one product).
     */
    ProductView saveProduct(UUID id, Map<Field<?>, Object> values) {
        Instant now = clock.instant();
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            // Serializes product writers so two of them cannot claim one endpoint at the same time.
            tx.execute("LOCK TABLE api_products IN SHARE ROW EXCLUSIVE MODE");
            if (id != null && !tx.fetchExists(API_PRODUCTS, API_PRODUCTS.ID.eq(id))) {
                throw AdminProblem.notFound("no product with id " + id);
            }
            Object endpoints = values.get(API_PRODUCTS.ENDPOINTS);
            if (endpoints instanceof String[] paths) {
                for (ApiProductsRecord other : tx.selectFrom(API_PRODUCTS).fetch()) {
                    if (other.getId().equals(id)) {
                        continue;
                    }
                    for (String path : paths) {
                        if (Arrays.asList(other.getEndpoints()).contains(path)) {
                            throw AdminProblem.conflict("endpoints", "endpoints: " + path
                                    + " already belongs to product " + other.getName());
                        }
                    }
                }
            }
            try {
                ApiProductsRecord r;
                if (id == null) {
                    r = tx.insertInto(API_PRODUCTS).set(values).set(API_PRODUCTS.CREATED_AT, now)
                            .set(API_PRODUCTS.UPDATED_AT, now).returning().fetchOne();
                } else {
                    r = tx.update(API_PRODUCTS).set(values).set(API_PRODUCTS.UPDATED_AT, now)
                            .where(API_PRODUCTS.ID.eq(id)).returning().fetchOne();
                }
                return ProductView.of(r);
            } catch (IntegrityConstraintViolationException e) {
                if (String.valueOf(e.getMessage()).contains("api_products_name_key")) {
                    throw AdminProblem.conflict("name", "name: " + values.get(API_PRODUCTS.NAME)
                            + " already names another product");
                }
                throw e;
            }
        });
    }

    List<ModelView> models() {
        return dsl.selectFrom(AI_MODELS).orderBy(AI_MODELS.NAME).fetch(ModelView::of);
    }

    ModelView model(UUID id) {
        AiModelsRecord r = dsl.selectFrom(AI_MODELS).where(AI_MODELS.ID.eq(id)).fetchOne();
        if (r == null) {
            throw AdminProblem.notFound("no model with id " + id);
        }
        return ModelView.of(r);
    }

    /** Creates ({@code id == null}) or changes a model with the given column values. */
    ModelView saveModel(UUID id, Map<Field<?>, Object> values) {
        Instant now = clock.instant();
        try {
            AiModelsRecord r;
            if (id == null) {
                r = dsl.insertInto(AI_MODELS).set(values).set(AI_MODELS.CREATED_AT, now)
                        .set(AI_MODELS.UPDATED_AT, now).returning().fetchOne();
            } else {
                r = dsl.update(AI_MODELS).set(values).set(AI_MODELS.UPDATED_AT, now)
                        .where(AI_MODELS.ID.eq(id)).returning().fetchOne();
                if (r == null) {
                    throw AdminProblem.notFound("no model with id " + id);
                }
            }
            return ModelView.of(r);
        } catch (IntegrityConstraintViolationException e) {
            if (String.valueOf(e.getMessage()).contains("ai_models_name_key")) {
                throw AdminProblem.conflict("name", "name: " + values.get(AI_MODELS.NAME) + " already names another model");
            }
            throw e;
        }
    }

    static JSONB jsonb(JsonNode node) {
        return JSONB.jsonb(node.toString());
    }
}
