package ai.dalsi.metering.billing;

import static ai.dalsi.persistence.schema.Tables.BILLING_INVOICES;
import static ai.dalsi.persistence.schema.Tables.USER_SUBSCRIPTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.metering.ledger.Fixtures;
import ai.dalsi.metering.ledger.UsageLedger;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.schema.tables.records.BillingInvoicesRecord;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The billing job over rollups the real writer made. */
@ExtendWith(FreshDatabaseExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BillingJobIT {

    private static final YearMonth OCTOBER = YearMonth.of(2026, 10);
    private static final Clock NOVEMBER = Clock.fixed(Instant.parse("2026-11-03T08:00:00Z"), ZoneOffset.UTC);
    private static final BillingConfig CONFIG = BillingConfig.defaults().withTaxRate(new BigDecimal("0.19"));

    private final DSLContext dsl;

    @TempDir
    Path journal;

    BillingJobIT(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** Writes the events through the ledger (journal, writer, rollups) and waits until they are stored. */
    private void write(List<UsageEvent> events) {
        try (UsageLedger ledger = UsageLedger.start(MeteringConfig.defaults(journal), dsl, Clock.systemUTC(),
                MeteringMetrics.NOOP)) {
            for (UsageEvent e : events) {
                ledger.accept(e).toCompletableFuture().join();
            }
        } // close() drains
    }

    private static Instant oct(int day, int hour) {
        return Instant.parse(String.format("2026-10-%02dT%02d:17:00Z", day, hour));
    }

    /** Per user: the period's cost of non-internal keys, summed over the raw rows, rounded to cents. */
    private Map<UUID, BigDecimal> expectedAmounts(YearMonth period) {
        return dsl.fetch("""
                select l.user_id, sum(l.cost_usd) as cost from api_usage_logs l join api_keys k on k.id = l.api_key_id
                where not k.is_internal and l.created_at >= ?::timestamptz and l.created_at < ?::timestamptz group by l.user_id
                """, BillingJob.start(period).toString(), BillingJob.end(period).toString())
                .stream().collect(Collectors.toMap(r -> r.get(0, UUID.class),
                        r -> r.get(1, BigDecimal.class).setScale(2, RoundingMode.HALF_UP)));
    }

    private org.jooq.Result<BillingInvoicesRecord> invoices() {
        return dsl.selectFrom(BILLING_INVOICES).orderBy(BILLING_INVOICES.INVOICE_NUMBER).fetch();
    }

    // The tests build on each other's invoices (one database per class, one instance per class).
    private UUID alice;
    private UUID bob;
    private UUID bobsSubscription;
    private UUID carol;

    @Test
    @Order(1)
    void invoicesEqualThePeriodsUsagePerUserWithTaxAndSequentialNumbers() {
        List<Fixtures.Key> external = Fixtures.keys(dsl, "billing", 2, 1);
        List<Fixtures.Key> internalOnly = Fixtures.keys(dsl, "internal", 1, 1, true);
        alice = external.get(0).userId();
        bob = external.get(1).userId();
        carol = internalOnly.getFirst().userId();
        Fixtures.Key aliceInternal = new Fixtures.Key(alice, Fixtures.key(new ApiKeyRepository(dsl), alice, true));
        bobsSubscription = subscription(bob, "active", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z");
        subscription(alice, "cancelled", "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z");

        SplittableRandom random = new SplittableRandom(42);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            events.add(Fixtures.event(external.get(i % 2), oct(1 + i % 31, i % 24), random));
            events.add(Fixtures.event(aliceInternal, oct(1 + i % 31, i % 24), random));
            events.add(Fixtures.event(internalOnly.getFirst(), oct(1 + i % 31, i % 24), random));
        }
        // Outside the period: last hour of September, first hour of November.
        events.add(Fixtures.event(external.get(0), Instant.parse("2026-09-30T23:59:59.999Z"), random));
        events.add(Fixtures.event(external.get(1), Instant.parse("2026-11-01T00:00:00Z"), random));
        write(events);
        Map<UUID, BigDecimal> expected = expectedAmounts(OCTOBER);

        BillingResult result = new BillingJob(dsl, CONFIG, NOVEMBER).run(OCTOBER);

        assertThat(result.usersWithUsage()).isEqualTo(2);
        assertThat(result.created()).hasSize(2);
        assertThat(result.alreadyInvoiced()).isZero();
        List<BillingInvoicesRecord> rows = invoices();
        assertThat(rows).extracting(BillingInvoicesRecord::getUserId).containsExactlyInAnyOrder(alice, bob);
        for (BillingInvoicesRecord r : rows) {
            BigDecimal amount = expected.get(r.getUserId());
            assertThat(amount).isPositive();
            assertThat(r.getAmount()).isEqualByComparingTo(amount);
            assertThat(r.getTaxAmount()).isEqualByComparingTo(amount.multiply(new BigDecimal("0.19"))
                    .setScale(2, RoundingMode.HALF_UP));
            assertThat(r.getTotalAmount()).isEqualByComparingTo(r.getAmount().add(r.getTaxAmount()));
            assertThat(r.getCurrency()).isEqualTo("USD");
            assertThat(r.getStatus()).isEqualTo("pending");
            assertThat(r.getDueDate()).isEqualTo(Instant.parse("2026-11-15T00:00:00Z"));
            assertThat(r.getBillingPeriodStart()).isEqualTo(Instant.parse("2026-10-01T00:00:00Z"));
            assertThat(r.getBillingPeriodEnd()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        }
        // Numbers follow the order of the users' ids (PostgreSQL's uuid order).
        String firstInPg = dsl.fetchValue("select least(?::uuid, ?::uuid)::text", alice.toString(), bob.toString())
                .toString();
        assertThat(rows.get(0).getInvoiceNumber()).isEqualTo("INV-2026-10-000001");
        assertThat(rows.get(0).getUserId().toString()).isEqualTo(firstInPg);
        assertThat(rows.get(1).getInvoiceNumber()).isEqualTo("INV-2026-10-000002");
        assertThat(byUser(rows, bob).getSubscriptionId()).isEqualTo(bobsSubscription);
        assertThat(byUser(rows, alice).getSubscriptionId()).as("a cancelled subscription is not linked").isNull();
        assertThat(result.total()).isEqualByComparingTo(rows.get(0).getTotalAmount().add(rows.get(1).getTotalAmount()));
        assertThat(result.summary("USD")).startsWith("billing 2026-10: 2 user(s) with usage, 2 invoice(s) created"
                + " (INV-2026-10-000001 .. INV-2026-10-000002), 0 already invoiced; total " + result.total());
    }

    @Test
    @Order(2)
    void aSecondRunCreatesAndChangesNothing() {
        String before = invoices().format();

        BillingResult again = new BillingJob(dsl, CONFIG, NOVEMBER).run(OCTOBER);

        assertThat(again.created()).isEmpty();
        assertThat(again.alreadyInvoiced()).isEqualTo(2);
        assertThat(invoices().format()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void usageThatArrivedLateIsInvoicedWithTheNextNumberAndRoundsHalfUp() {
        Fixtures.Key dave = Fixtures.keys(dsl, "late", 1, 1).getFirst();
        // 0.005 USD is half a cent: HALF_UP makes it 0.01; its 19% tax, 0.0019, rounds to 0.00.
        write(List.of(UsageEvent.builder(UuidV7.at(oct(31, 23)), dave.userId(), dave.keyId())
                .endpoint("/v1/chat/completions").statusCode(200).usage(TokenUsage.reported(10, 10, 0))
                .costUsd(new BigDecimal("0.00500000")).subscriptionTier("pro").build()));

        BillingResult late = new BillingJob(dsl, CONFIG, NOVEMBER).run(OCTOBER);

        assertThat(late.created()).hasSize(1);
        assertThat(late.alreadyInvoiced()).isEqualTo(2);
        Invoice i = late.created().getFirst();
        assertThat(i.invoiceNumber()).isEqualTo("INV-2026-10-000003");
        assertThat(i.userId()).isEqualTo(dave.userId());
        assertThat(i.amount()).isEqualByComparingTo("0.01");
        assertThat(i.taxAmount()).isEqualByComparingTo("0.00");
        assertThat(i.totalAmount()).isEqualByComparingTo("0.01");
        assertThat(invoices()).extracting(BillingInvoicesRecord::getInvoiceNumber).containsExactly(
                "INV-2026-10-000001", "INV-2026-10-000002", "INV-2026-10-000003");
        assertThat(invoices()).extracting(BillingInvoicesRecord::getUserId).doesNotContain(carol);
    }

    @Test
    @Order(4)
    void aMonthThatHasNotEndedCannotBeBilledAndAMonthWithoutUsageMakesNoInvoices() {
        assertThatThrownBy(() -> new BillingJob(dsl, CONFIG, NOVEMBER).run(YearMonth.of(2026, 11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("period 2026-11 has not ended yet (it ends 2026-12-01T00:00:00Z)");
        BillingResult august = new BillingJob(dsl, CONFIG, NOVEMBER).run(YearMonth.of(2026, 8));
        assertThat(august.usersWithUsage()).isZero();
        assertThat(august.created()).isEmpty();
        assertThat(august.summary("USD")).isEqualTo("billing 2026-08: 0 user(s) with usage, 0 invoice(s) created,"
                + " 0 already invoiced; total 0.00 USD (amount 0.00 + tax 0.00)");
    }

    private static BillingInvoicesRecord byUser(List<BillingInvoicesRecord> rows, UUID user) {
        return rows.stream().filter(r -> r.getUserId().equals(user)).findFirst().orElseThrow();
    }

    private UUID subscription(UUID user, String status, String from, String to) {
        return dsl.insertInto(USER_SUBSCRIPTIONS)
                .set(USER_SUBSCRIPTIONS.USER_ID, user)
                .set(USER_SUBSCRIPTIONS.TIER, "pro")
                .set(USER_SUBSCRIPTIONS.STATUS, status)
                .set(USER_SUBSCRIPTIONS.CURRENT_PERIOD_START, Instant.parse(from))
                .set(USER_SUBSCRIPTIONS.CURRENT_PERIOD_END, Instant.parse(to))
                .returning(USER_SUBSCRIPTIONS.ID)
                .fetchOne(USER_SUBSCRIPTIONS.ID);
    }
}
