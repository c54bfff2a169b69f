package ai.dalsi.gateway.catalog;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;

import ai.dalsi.gateway.auth.Tier;
import ai.dalsi.persistence.repo.Model;
import ai.dalsi.persistence.repo.ModelRepository;
import ai.dalsi.persistence.repo.Product;
import ai.dalsi.persistence.repo.ProductRepository;
import ai.dalsi.metering.Pricing;
import ai.dalsi.metering.ProductKind;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads products and models from PostgreSQL into a {@link Catalog} (blocking: never on an event loop). */
final class CatalogLoader {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogLoader.class);

    private final DSLContext dsl;
    private final ProductRepository products;
    private final ModelRepository models;

    CatalogLoader(DSLContext dsl) {
        this.dsl = dsl;
        this.products = new ProductRepository(dsl);
        this.models = new ModelRepository(dsl);
    }

    Catalog load() {
        List<ProductInfo> infos = new ArrayList<>();
        Map<ProductInfo, List<String>> endpoints = new HashMap<>();
        for (Product p : products.findAll()) {
            ProductKind kind = ProductKind.ofDbValue(p.kind());
            if (kind == null) {
                // The column's CHECK allows only known kinds; a newer schema may know more than this build.
                LOG.warn("product {}: unknown kind {}; served as chat", p.name(), p.kind());
                kind = ProductKind.CHAT;
            }
            ProductInfo info = new ProductInfo(p.name(), p.requiredScopes(), Tier.ofDbValue(p.requiredSubscriptionTier()),
                    p.maxTokensPerRequest(), p.active(), Objects.requireNonNullElse(p.pricePer1kTokens(), BigDecimal.ZERO),
                    Objects.requireNonNullElse(p.basePriceUsd(), BigDecimal.ZERO), kind);
            infos.add(info);
            endpoints.put(info, p.endpoints());
        }
        Map<String, Instant> created = dsl.select(AI_MODELS.NAME, AI_MODELS.CREATED_AT).from(AI_MODELS)
                .fetchMap(AI_MODELS.NAME, AI_MODELS.CREATED_AT);
        List<ModelInfo> modelInfos = new ArrayList<>();
        for (Model m : models.findAll()) {
            Pricing pricing;
            try {
                pricing = Pricing.of(m.pricingJson(), BigDecimal.ZERO, BigDecimal.ZERO);
            } catch (IllegalArgumentException e) {
                // A model priced wrongly is still served, at the product's prices; the log says why.
                LOG.warn("model {}: {}; using the product's prices", m.name(), e.getMessage());
                pricing = Pricing.FREE;
            }
            Instant c = created.get(m.name());
            modelInfos.add(new ModelInfo(m.name(), m.active(), m.requiresSubscription(), pricing.modelInputPer1k(),
                    pricing.modelOutputPer1k(), pricing.modelPerImage(), c == null ? 0 : c.getEpochSecond()));
        }
        return Catalog.of(infos, endpoints, modelInfos);
    }
}
