package ai.dalsi.gateway.cli;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static ai.dalsi.persistence.schema.Tables.BILLING_INVOICES;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code java -jar gateway.jar billing}, run as operators run it: a separate JVM from the packaged jar. */
@ExtendWith(FreshDatabaseExtension.class)
class BillingCommandIT {

    private static final Path JAR = Path.of("target/gateway.jar");

    private final TestDatabase db;
    private final DSLContext dsl;

    BillingCommandIT(TestDatabase db) {
        this.db = db;
        this.dsl = db.dsl();
    }

    record Run(int exit, String out, String err) {
    }

    @Test
    void billsAMonthOncePrintsASummaryAndExitsZero() throws Exception {
        UUID ann = new UserRepository(dsl).insert("ann@example.com", "Ann");
        UUID ben = new UserRepository(dsl).insert("ben@example.com", "Ben");
        UUID annKey = key(ann, false);
        UUID benKey = key(ben, false);
        UUID benInternal = key(ben, true);
        // Ann: 1.234 + 2.001 = 3.235 -> 3.24; Ben: 0.5 (his internal key's 9.99 is not billed).
        rollup(annKey, ann, "2026-10-01T00:00:00Z", "1.23400000");
        rollup(annKey, ann, "2026-10-31T23:00:00Z", "2.00100000");
        rollup(benKey, ben, "2026-10-15T12:00:00Z", "0.50000000");
        rollup(benInternal, ben, "2026-10-15T12:00:00Z", "9.99000000");
        rollup(annKey, ann, "2026-11-01T00:00:00Z", "100.00000000"); // next month

        Run first = run("billing", "--period", "2026-10");

        assertThat(first.exit()).as(first.err()).isZero();
        // Tax 10% from the environment: 0.32 + 0.05.
        assertThat(first.out().strip()).isEqualTo("billing 2026-10: 2 user(s) with usage, 2 invoice(s) created"
                + " (INV-2026-10-000001 .. INV-2026-10-000002), 0 already invoiced; total 4.11 USD (amount 3.74"
                + " + tax 0.37)");
        assertThat(first.err()).doesNotContain("ERROR").doesNotContain("Exception");
        var invoices = dsl.selectFrom(BILLING_INVOICES).orderBy(BILLING_INVOICES.INVOICE_NUMBER).fetch();
        assertThat(invoices).hasSize(2);
        var annInvoice = invoices.stream().filter(i -> i.getUserId().equals(ann)).findFirst().orElseThrow();
        assertThat(annInvoice.getAmount()).isEqualByComparingTo("3.24");
        assertThat(annInvoice.getTaxAmount()).isEqualByComparingTo("0.32");
        assertThat(annInvoice.getTotalAmount()).isEqualByComparingTo("3.56");
        assertThat(annInvoice.getStatus()).isEqualTo("pending");
        assertThat(annInvoice.getDueDate()).isEqualTo(Instant.parse("2026-11-15T00:00:00Z"));

        Run second = run("billing", "--period=2026-10");

        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("0 invoice(s) created, 2 already invoiced");
        assertThat(dsl.fetchCount(BILLING_INVOICES)).isEqualTo(2);
    }

    @Test
    void aBadPeriodIsOneLineThenTheUsageAndExitTwo() throws Exception {
        Run r = run("billing", "--period", "October");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().findFirst()).hasValue(
                "billing: --period October: not a month (expected: YYYY-MM, e.g. 2026-10)");
        assertThat(r.err()).as("then the usage").contains("Usage: gateway billing");
    }

    private UUID key(UUID user, boolean internal) {
        byte[] hash = new byte[32];
        new java.util.Random().nextBytes(hash);
        NewKey k = NewKey.withDefaults(user, HexFormat.of().formatHex(hash), "dsk_live_abc", "k", List.of("ai.chat"));
        return new ApiKeyRepository(dsl).insert(new NewKey(k.userId(), k.keyHash(), k.keyPrefix(), k.name(), k.scopes(),
                null, null, null, null, null, null, null, internal, null));
    }

    private void rollup(UUID key, UUID user, String hour, String cost) {
        dsl.insertInto(API_USAGE_HOURLY)
                .set(API_USAGE_HOURLY.API_KEY_ID, key)
                .set(API_USAGE_HOURLY.USER_ID, user)
                .set(API_USAGE_HOURLY.ENDPOINT, "/v1/chat/completions")
                .set(API_USAGE_HOURLY.MODEL, "dalsi-chat")
                .set(API_USAGE_HOURLY.HOUR, Instant.parse(hour))
                .set(API_USAGE_HOURLY.REQUEST_COUNT, 3L)
                .set(API_USAGE_HOURLY.TOKENS_USED, 300L)
                .set(API_USAGE_HOURLY.COST_USD, new BigDecimal(cost))
                .execute();
    }

    private Run run(String... args) throws IOException, InterruptedException {
        assertThat(JAR).as("packaged jar (mvn package runs before the integration tests)").exists();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("GATEWAY_"));
        pb.environment().putAll(Map.of("GATEWAY_DB_URL", db.jdbcUrl(), "GATEWAY_DB_USER", db.user(),
                "GATEWAY_DB_PASSWORD", db.password(), "GATEWAY_BILLING_TAX_RATE", "0.10"));
        Path out = Files.createTempFile("billing", ".out");
        Path err = Files.createTempFile("billing", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("billing finishes").isTrue();
        Run r = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }
}
