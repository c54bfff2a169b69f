package ai.dalsi.metering.ledger;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.jooq.RenderedQuery;
import ai.dalsi.persistence.webhooks.WebhookEvent;
import ai.dalsi.persistence.webhooks.WebhookOutbox;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * The {@code budget.threshold} webhook events of a batch, put into the outbox in the batch's own
 * transaction, after its rollups: when a key's month spend, or its user's (over the user's keys
 * that are not internal, as budgets count it), has reached 80% or 100% of its
 * {@code monthly_budget_usd}. The outbox keeps one event per key or user, month and threshold
 * ({@link WebhookEvent#budgetThreshold}, {@link WebhookEvent#userBudgetThreshold}), so later batches
 * of the month and replayed batches add nothing.
 *
 * <p>The spend is read from {@code api_usage_hourly}, which this transaction has just updated, so
 * it counts this batch and every committed one, whichever node wrote them; concurrent writers of
 * the same key are serialised by the batch's key locks. A budget of 0 ("nothing that costs money")
 * is reached by the first cost. Only keys with a {@code webhook_url} are looked at: nobody else
 * would receive anything. One statement per month the batch touches (one, but at a month's turn).
 */
final class BudgetNotices {

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
    private static final int[] THRESHOLDS = {80, 100};

    private BudgetNotices() {
    }

    /** Adds the events the batch's spend crossed to the outbox in {@code tx}. */
    static void enqueue(DSLContext tx, Batch batch) {
        List<WebhookEvent> events = new ArrayList<>();
        for (Map.Entry<YearMonth, Instant> month : lastEventPerMonth(batch.events()).entrySet()) {
            events.addAll(crossed(tx, batch.keys(), month.getKey(), month.getValue()));
        }
        if (!events.isEmpty()) {
            WebhookOutbox.enqueue(tx, events);
        }
    }

    /** The UTC months of the events, each with its latest event (when its thresholds were crossed). */
    static Map<YearMonth, Instant> lastEventPerMonth(List<UsageEvent> events) {
        Map<YearMonth, Instant> months = new TreeMap<>();
        UtcMonths utc = new UtcMonths();
        for (UsageEvent e : events) {
            Instant at = e.createdAt();
            months.merge(utc.of(at), at, (a, b) -> a.isAfter(b) ? a : b);
        }
        return months;
    }

    /** The thresholds a spend has reached: 80 and/or 100, none for no spend. */
    static List<Integer> reached(BigDecimal budget, BigDecimal spent) {
        List<Integer> out = new ArrayList<>(2);
        if (budget == null || spent == null || spent.signum() <= 0) {
            return out;
        }
        for (int percent : THRESHOLDS) {
            if (spent.multiply(HUNDRED).compareTo(budget.multiply(BigDecimal.valueOf(percent))) >= 0) {
                out.add(percent);
            }
        }
        return out;
    }

    /** {@link #candidatesQuery}, rendered once. */
    private static final RenderedQuery CANDIDATES = RenderedQuery.of(BudgetNotices::candidatesQuery);

    private static List<WebhookEvent> crossed(DSLContext tx, UUID[] keys, YearMonth month, Instant at) {
        Instant from = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        Instant to = month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        List<WebhookEvent> events = new ArrayList<>();
        // Binds in the order candidatesQuery's placeholders are rendered.
        for (Candidate r : CANDIDATES.fetch(tx, Candidate::read, keys, from, to, from, to, keys, keys)) {
            for (int percent : reached(r.keyBudget, r.keySpent)) {
                events.add(WebhookEvent.budgetThreshold(r.keyId, month, percent, r.keyBudget, r.keySpent, at));
            }
            for (int percent : reached(r.userBudget, r.userSpent)) {
                events.add(WebhookEvent.userBudgetThreshold(r.keyId, r.userId, month, percent, r.userBudget,
                        r.userSpent, at));
            }
        }
        return events;
    }

    /** A key that may hear of a budget: its own and its user's budget and month spend (null where none). */
    private record Candidate(UUID keyId, UUID userId, BigDecimal keyBudget, BigDecimal userBudget,
                             BigDecimal keySpent, BigDecimal userSpent) {

        static Candidate read(ResultSet rs) throws SQLException {
            return new Candidate(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getBigDecimal(3),
                    rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6));
        }
    }

    /**
     * The batch's keys ({@code keys}) with a webhook and a budget of their own or of their user's,
     * with the spend of the month [{@code from}, {@code to}); for a user's budget, every key of the
     * user with a webhook hears of it. Placeholders: keys, from, to, from, to, keys, keys.
     */
    private static ResultQuery<?> candidatesQuery(DSLContext tx) {
        Field<UUID[]> keys = RenderedQuery.slot(SQLDataType.UUID.array());
        Field<Instant> from = RenderedQuery.slot(API_USAGE_HOURLY.HOUR.getDataType());
        Field<Instant> to = RenderedQuery.slot(API_USAGE_HOURLY.HOUR.getDataType());
        var keySpend = DSL.field(DSL.select(DSL.coalesce(DSL.sum(API_USAGE_HOURLY.COST_USD), BigDecimal.ZERO))
                .from(API_USAGE_HOURLY)
                .where(API_USAGE_HOURLY.API_KEY_ID.eq(API_KEYS.ID))
                .and(API_USAGE_HOURLY.HOUR.ge(from)).and(API_USAGE_HOURLY.HOUR.lt(to)));
        var owner = API_KEYS.as("owner_keys");
        var userSpend = DSL.field(DSL.select(DSL.coalesce(DSL.sum(API_USAGE_HOURLY.COST_USD), BigDecimal.ZERO))
                .from(API_USAGE_HOURLY)
                .join(owner).on(owner.ID.eq(API_USAGE_HOURLY.API_KEY_ID))
                .where(API_USAGE_HOURLY.USER_ID.eq(USERS.ID)).and(owner.IS_INTERNAL.isFalse())
                .and(API_USAGE_HOURLY.HOUR.ge(from)).and(API_USAGE_HOURLY.HOUR.lt(to)));
        var batchKeys = API_KEYS.as("batch_keys");
        return tx.select(API_KEYS.ID, API_KEYS.USER_ID, API_KEYS.MONTHLY_BUDGET_USD,
                        USERS.MONTHLY_BUDGET_USD,
                        DSL.when(API_KEYS.MONTHLY_BUDGET_USD.isNotNull().and(API_KEYS.ID.eq(DSL.any(keys))), keySpend),
                        DSL.when(USERS.MONTHLY_BUDGET_USD.isNotNull(), userSpend))
                .from(API_KEYS)
                .join(USERS).on(USERS.ID.eq(API_KEYS.USER_ID))
                // Index-driven: the batch's keys by id, their users, those users' keys by user_id.
                .where(API_KEYS.USER_ID.in(DSL.select(batchKeys.USER_ID).from(batchKeys)
                        .where(batchKeys.ID.eq(DSL.any(keys)))))
                .and(API_KEYS.WEBHOOK_URL.isNotNull())
                .and(API_KEYS.ID.eq(DSL.any(keys)).and(API_KEYS.MONTHLY_BUDGET_USD.isNotNull())
                        .or(USERS.MONTHLY_BUDGET_USD.isNotNull().and(API_KEYS.IS_INTERNAL.isFalse())));
    }
}
