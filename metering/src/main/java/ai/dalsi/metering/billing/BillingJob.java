package ai.dalsi.metering.billing;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static ai.dalsi.persistence.schema.Tables.BILLING_INVOICES;
import static ai.dalsi.persistence.schema.Tables.USER_SUBSCRIPTIONS;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Turns a month's usage into invoices: one {@code billing_invoices} row per user whose keys were
 * used in the period, read from the hourly rollups ({@code api_usage_hourly}), never from the raw
 * logs. Internal keys are not billed.
 *
 * <p>The rules:
 * <ul>
 *   <li>The period is a calendar month in UTC: {@code [first instant of the month, first instant
 *       of the next)}; a rollup belongs to it by its hour. Only months that have ended can be
 *       billed (billing an open month would leave its rest unbilled forever, since a second run
 *       changes nothing).</li>
 *   <li>A user "has usage" when their non-internal keys made at least one request in the period,
 *       even if it cost nothing (every such user gets an invoice, possibly 0.00).</li>
 *   <li>{@code amount} = the sum of the rollups' {@code cost_usd} (8 decimals), rounded HALF_UP to
 *       cents; {@code tax_amount} = {@code amount * taxRate}, rounded HALF_UP to cents;
 *       {@code total_amount} = {@code amount + tax_amount}. Currency from the config (USD).</li>
 *   <li>Status {@code pending}; {@code due_date} = end of the period + {@code dueDays}.</li>
 *   <li>{@code invoice_number} = {@code INV-<yyyy>-<mm>-<n>}, {@code n} counting from 000001 within
 *       the period, in user-id order, without gaps: the run holds a transaction-scoped advisory
 *       lock, so concurrent runs take their turns.</li>
 *   <li>{@code subscription_id} = the user's {@code active} subscription (the one whose current
 *       period ends last), or null.</li>
 *   <li>Idempotent: users with an invoice for the period already are skipped (and the unique index
 *       on {@code (user_id, billing_period_start)} guarantees it), so running the job again creates
 *       and changes nothing, and a late run after more usage arrived only adds the new users.</li>
 * </ul>
 * Everything happens in one transaction: a run creates all its invoices or none.
 */
public final class BillingJob {

    private static final DateTimeFormatter NUMBER_MONTH = DateTimeFormatter.ofPattern("yyyy-MM", Locale.ROOT);
    private static final String LOCK = "ai.dalsi.metering.billing";

    private final DSLContext dsl;
    private final BillingConfig config;
    private final Clock clock;

    public BillingJob(DSLContext dsl, BillingConfig config, Clock clock) {
        this.dsl = dsl;
        this.config = config;
        this.clock = clock;
    }

    /** First instant of the month in UTC. */
    public static Instant start(YearMonth period) {
        return period.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** First instant after the month in UTC. */
    public static Instant end(YearMonth period) {
        return start(period.plusMonths(1));
    }

    /**
     * Invoices the period.
     *
     * @throws IllegalArgumentException when the period has not ended yet (the message says when it ends)
     */
    public BillingResult run(YearMonth period) {
        Instant start = start(period);
        Instant end = end(period);
        if (clock.instant().isBefore(end)) {
            throw new IllegalArgumentException("period " + period + " has not ended yet (it ends " + end + ")");
        }
        return dsl.transactionResult(cfg -> {
            DSLContext tx = cfg.dsl();
            tx.fetch("select pg_advisory_xact_lock(hashtext(?))", LOCK);

            Field<BigDecimal> cost = DSL.sum(API_USAGE_HOURLY.COST_USD).as("cost");
            List<Record2<UUID, BigDecimal>> usage = tx.select(API_USAGE_HOURLY.USER_ID, cost)
                    .from(API_USAGE_HOURLY)
                    .join(API_KEYS).on(API_KEYS.ID.eq(API_USAGE_HOURLY.API_KEY_ID))
                    .where(API_KEYS.IS_INTERNAL.isFalse())
                    .and(API_USAGE_HOURLY.HOUR.ge(start))
                    .and(API_USAGE_HOURLY.HOUR.lt(end))
                    .groupBy(API_USAGE_HOURLY.USER_ID)
                    .having(DSL.sum(API_USAGE_HOURLY.REQUEST_COUNT).gt(BigDecimal.ZERO))
                    .orderBy(API_USAGE_HOURLY.USER_ID)
                    .fetch();
            Set<UUID> invoiced = new HashSet<>(tx.select(BILLING_INVOICES.USER_ID).from(BILLING_INVOICES)
                    .where(BILLING_INVOICES.BILLING_PERIOD_START.eq(start))
                    .fetch(BILLING_INVOICES.USER_ID));
            List<UUID> toBill = usage.stream().map(Record2::value1).filter(u -> !invoiced.contains(u)).toList();
            Map<UUID, UUID> subscriptions = activeSubscriptions(tx, toBill);

            String prefix = "INV-" + NUMBER_MONTH.format(period) + "-";
            int next = lastNumber(tx, prefix) + 1;
            Instant due = end.plus(Duration.ofDays(config.dueDays()));
            List<Invoice> created = new ArrayList<>();
            for (Record2<UUID, BigDecimal> r : usage) {
                UUID user = r.value1();
                if (invoiced.contains(user)) {
                    continue;
                }
                BigDecimal amount = r.value2().setScale(2, RoundingMode.HALF_UP);
                BigDecimal tax = amount.multiply(config.taxRate()).setScale(2, RoundingMode.HALF_UP);
                created.add(new Invoice(UUID.randomUUID(), user, subscriptions.get(user),
                        prefix + String.format(Locale.ROOT, "%06d", next++), amount, tax, amount.add(tax),
                        config.currency(), due, start, end));
            }
            if (!created.isEmpty()) {
                var insert = tx.insertInto(BILLING_INVOICES, BILLING_INVOICES.ID, BILLING_INVOICES.USER_ID,
                        BILLING_INVOICES.SUBSCRIPTION_ID, BILLING_INVOICES.INVOICE_NUMBER, BILLING_INVOICES.AMOUNT,
                        BILLING_INVOICES.TAX_AMOUNT, BILLING_INVOICES.TOTAL_AMOUNT, BILLING_INVOICES.CURRENCY,
                        BILLING_INVOICES.STATUS, BILLING_INVOICES.DUE_DATE, BILLING_INVOICES.BILLING_PERIOD_START,
                        BILLING_INVOICES.BILLING_PERIOD_END);
                for (Invoice i : created) {
                    insert = insert.values(i.id(), i.userId(), i.subscriptionId(), i.invoiceNumber(), i.amount(),
                            i.taxAmount(), i.totalAmount(), i.currency(), "pending", i.dueDate(), i.periodStart(),
                            i.periodEnd());
                }
                insert.execute();
            }
            return new BillingResult(period, usage.size(), created, usage.size() - toBill.size());
        });
    }

    private static Map<UUID, UUID> activeSubscriptions(DSLContext tx, List<UUID> users) {
        if (users.isEmpty()) {
            return Map.of();
        }
        return tx.select(USER_SUBSCRIPTIONS.USER_ID, USER_SUBSCRIPTIONS.ID)
                .distinctOn(USER_SUBSCRIPTIONS.USER_ID)
                .from(USER_SUBSCRIPTIONS)
                .where(USER_SUBSCRIPTIONS.USER_ID.in(users))
                .and(USER_SUBSCRIPTIONS.STATUS.eq("active"))
                .orderBy(USER_SUBSCRIPTIONS.USER_ID, USER_SUBSCRIPTIONS.CURRENT_PERIOD_END.desc(),
                        USER_SUBSCRIPTIONS.CREATED_AT.desc())
                .fetchMap(USER_SUBSCRIPTIONS.USER_ID, USER_SUBSCRIPTIONS.ID);
    }

    /** The highest sequence number used in the period so far, 0 when none. */
    private static int lastNumber(DSLContext tx, String prefix) {
        Field<Integer> n = DSL.substring(BILLING_INVOICES.INVOICE_NUMBER, prefix.length() + 1)
                .cast(SQLDataType.INTEGER);
        Integer max = tx.select(DSL.max(n)).from(BILLING_INVOICES)
                .where(BILLING_INVOICES.INVOICE_NUMBER.likeRegex("^" + prefix + "[0-9]+$"))
                .fetchOne(0, Integer.class);
        return max == null ? 0 : max;
    }
}
