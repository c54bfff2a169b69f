package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;

import ai.dalsi.persistence.schema.tables.records.AiModelsRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;

/** AI models. The edge caches {@link #findAll()} and refreshes it. */
public final class ModelRepository {

    private final DSLContext dsl;

    public ModelRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Every model, active or not, by name. */
    public List<Model> findAll() {
        return dsl.selectFrom(AI_MODELS).orderBy(AI_MODELS.NAME).fetch(ModelRepository::toModel);
    }

    public Optional<Model> findByName(String name) {
        return dsl.selectFrom(AI_MODELS).where(AI_MODELS.NAME.eq(name)).fetchOptional(ModelRepository::toModel);
    }

    /** Inserts a model, or updates the one with the same name; returns its id. */
    public UUID upsert(Model m) {
        Map<Field<?>, Object> values = new LinkedHashMap<>();
        values.put(AI_MODELS.VERSION, m.version());
        values.put(AI_MODELS.TYPE, m.type());
        values.put(AI_MODELS.CAPABILITIES, JSONB.jsonb(m.capabilitiesJson() == null ? "{}" : m.capabilitiesJson()));
        values.put(AI_MODELS.PRICING, JSONB.jsonb(m.pricingJson() == null ? "{}" : m.pricingJson()));
        values.put(AI_MODELS.IS_ACTIVE, m.active());
        values.put(AI_MODELS.REQUIRES_SUBSCRIPTION, m.requiresSubscription());
        return dsl.insertInto(AI_MODELS)
                .set(AI_MODELS.NAME, m.name())
                .set(values)
                .onConflict(AI_MODELS.NAME)
                .doUpdate()
                .set(values)
                .set(AI_MODELS.UPDATED_AT, Instant.now())
                .returning(AI_MODELS.ID)
                .fetchOne(AI_MODELS.ID);
    }

    static Model toModel(AiModelsRecord r) {
        return new Model(
                r.getId(),
                r.getName(),
                r.getVersion(),
                r.getType(),
                r.getCapabilities() == null ? "{}" : r.getCapabilities().data(),
                r.getPricing() == null ? "{}" : r.getPricing().data(),
                r.getIsActive(),
                r.getRequiresSubscription());
    }

    /** Convenience for tests and seeding: find by id. */
    public Optional<Model> findById(UUID id) {
        return dsl.selectFrom(AI_MODELS).where(AI_MODELS.ID.eq(id)).fetchOptional(ModelRepository::toModel);
    }
}
