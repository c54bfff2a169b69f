package ai.dalsi.gateway.admin;

import static ai.dalsi.persistence.schema.Tables.FEATURE_FLAGS;

import ai.dalsi.persistence.schema.tables.records.FeatureFlagsRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** {@code feature_flags} as the admin API reads and writes them. */
final class FlagService {

    /** A flag as the API shows it. */
    record FlagView(UUID id, String name, String description, boolean isEnabled, int rolloutPercentage,
            Instant createdAt, Instant updatedAt) {
        static FlagView of(FeatureFlagsRecord r) {
            return new FlagView(r.getId(), r.getName(), r.getDescription(), r.getIsEnabled(), r.getRolloutPercentage(),
                    r.getCreatedAt(), r.getUpdatedAt());
        }
    }

    /** What a PUT stored, and whether the row is new. */
    record Saved(FlagView flag, boolean created) {
    }

    private final DSLContext dsl;
    private final Clock clock;

    FlagService(DSLContext dsl, Clock clock) {
        this.dsl = dsl;
        this.clock = clock;
    }

    List<FlagView> list() {
        return dsl.selectFrom(FEATURE_FLAGS).orderBy(FEATURE_FLAGS.NAME).fetch(FlagView::of);
    }

    /** Creates or replaces the named flag; a description left out keeps the stored one. */
    Saved put(String name, boolean enabled, int percent, String description) {
        Instant now = clock.instant();
        // xmax = 0 only for a row this statement inserted (an update leaves the old version's xid).
        var created = DSL.field("(xmax = 0)", Boolean.class);
        var r = dsl.insertInto(FEATURE_FLAGS)
                .set(FEATURE_FLAGS.NAME, name)
                .set(FEATURE_FLAGS.IS_ENABLED, enabled)
                .set(FEATURE_FLAGS.ROLLOUT_PERCENTAGE, percent)
                .set(FEATURE_FLAGS.DESCRIPTION, description)
                .set(FEATURE_FLAGS.CREATED_AT, now)
                .set(FEATURE_FLAGS.UPDATED_AT, now)
                .onConflict(FEATURE_FLAGS.NAME).doUpdate()
                .set(FEATURE_FLAGS.IS_ENABLED, enabled)
                .set(FEATURE_FLAGS.ROLLOUT_PERCENTAGE, percent)
                .set(FEATURE_FLAGS.DESCRIPTION, description == null ? FEATURE_FLAGS.DESCRIPTION
                        : DSL.val(description))
                .set(FEATURE_FLAGS.UPDATED_AT, now)
                .returningResult(FEATURE_FLAGS.asterisk(), created)
                .fetchOne();
        return new Saved(FlagView.of(r.into(FEATURE_FLAGS)), Boolean.TRUE.equals(r.get(created)));
    }

    Optional<FlagView> patch(UUID id, Boolean enabled, Integer percent, String description, boolean clearDescription) {
        var update = dsl.update(FEATURE_FLAGS).set(FEATURE_FLAGS.UPDATED_AT, clock.instant());
        if (enabled != null) {
            update = update.set(FEATURE_FLAGS.IS_ENABLED, enabled);
        }
        if (percent != null) {
            update = update.set(FEATURE_FLAGS.ROLLOUT_PERCENTAGE, percent);
        }
        if (description != null || clearDescription) {
            update = update.set(FEATURE_FLAGS.DESCRIPTION, description);
        }
        return update.where(FEATURE_FLAGS.ID.eq(id)).returning().fetchOptional().map(FlagView::of);
    }
}
