package ai.dalsi.persistence.repo;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * What a key or a user has spent in a period, from the hourly rollups ({@code api_usage_hourly}),
 * never from the raw logs: the figure monthly budgets are checked against when a node starts
 * counting a month. A rollup belongs to the period by its hour, so a period made of whole UTC
 * hours (a month is) sums exactly the rows created in it.
 */
public final class SpendRepository {

    private final DSLContext dsl;

    public SpendRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * The cost in {@code [from, to)} of the key and of every key that continues it (rotation sets
     * their {@code limit_key_id} to it: a rotated key keeps its month's spend); zero when none made
     * a request. {@code keyId} is the limit identity, the first key of the rotation chain.
     */
    public BigDecimal keySpend(UUID keyId, Instant from, Instant to) {
        return sum(API_USAGE_HOURLY.API_KEY_ID.eq(keyId).or(API_USAGE_HOURLY.API_KEY_ID.in(
                DSL.select(API_KEYS.ID).from(API_KEYS).where(API_KEYS.LIMIT_KEY_ID.eq(keyId)))), from, to);
    }

    /**
     * The user's cost in {@code [from, to)} over their keys that are not internal (internal keys are
     * neither billed nor counted against budgets); zero when they made no request.
     */
    public BigDecimal userSpend(UUID userId, Instant from, Instant to) {
        return sum(API_USAGE_HOURLY.USER_ID.eq(userId).and(DSL.notExists(DSL.selectOne().from(API_KEYS)
                .where(API_KEYS.ID.eq(API_USAGE_HOURLY.API_KEY_ID)).and(API_KEYS.IS_INTERNAL.isTrue()))), from, to);
    }

    private BigDecimal sum(Condition whose, Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        BigDecimal sum = dsl.select(DSL.sum(API_USAGE_HOURLY.COST_USD))
                .from(API_USAGE_HOURLY)
                .where(whose)
                .and(API_USAGE_HOURLY.HOUR.ge(from))
                .and(API_USAGE_HOURLY.HOUR.lt(to))
                .fetchOne(0, BigDecimal.class);
        return sum == null ? BigDecimal.ZERO : sum;
    }
}
