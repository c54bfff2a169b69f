package ai.dalsi.metering.ledger;

import static ai.dalsi.metering.ledger.LedgerAssertions.assertTotalsAndRollupsMatchRows;
import static ai.dalsi.metering.ledger.LedgerAssertions.storedIds;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_HOURLY;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client with a key may send any path and any model name: a 404 for a 15 KB random path (the
 * edge's header limit is 16 KiB) is still metered. Such an endpoint or model cannot key a btree
 * (2,704 bytes per entry at most); stored whole, it would fail its batch with a limit error that
 * retrying never cures, and hold up every event behind it. The ledger cuts them instead.
 */
@ExtendWith(FreshDatabaseExtension.class)
class LedgerKeyTextIT {

    private final DSLContext dsl;

    @TempDir
    Path journal;

    LedgerKeyTextIT(TestDatabase db) {
        this.dsl = db.dsl();
    }

    private static String incompressible(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            sb.appendCodePoint(0x4E00 + random.nextInt(0x5000)); // CJK: three bytes each, no pattern to compress
        }
        return sb.toString();
    }

    @Test
    void anEndpointOrModelNoIndexCanHoldIsCutAndEverythingIsWritten() {
        List<Fixtures.Key> keys = Fixtures.keys(dsl, "long-text", 1, 1);
        SplittableRandom random = new SplittableRandom(7);
        Instant at = Instant.now().minusSeconds(60);
        UsageEvent hostile = UsageEvent.builder(ai.dalsi.persistence.UuidV7.at(at), keys.getFirst().userId(),
                        keys.getFirst().keyId())
                .endpoint("/v1/" + incompressible(random, 5000)).method("POST").statusCode(404)
                .model(incompressible(random, 5000)).subscriptionTier("pro").build();
        UsageEvent after = Fixtures.event(keys.getFirst(), at.plusMillis(5), random);
        LedgerTesting.CountingMetrics metrics = new LedgerTesting.CountingMetrics();
        try (UsageLedger ledger = UsageLedger.start(LedgerTesting.config(journal).withBatching(1000,
                Duration.ofMillis(50)), dsl, Clock.systemUTC(), metrics)) {
            ledger.accept(hostile).toCompletableFuture().join();
            ledger.accept(after).toCompletableFuture().join();
            Eventually.await("both rows", Duration.ofSeconds(30),
                    () -> storedIds(dsl).containsAll(List.of(hostile.requestId(), after.requestId())));
        }
        assertThat(metrics.rejected.get()).as("nothing set aside").isZero();
        assertThat(dsl.select(DSL.max(DSL.length(API_USAGE_HOURLY.ENDPOINT))).from(API_USAGE_HOURLY).fetchOne(0,
                Integer.class)).isEqualTo(UsageRows.MAX_KEY_CHARACTERS);
        assertTotalsAndRollupsMatchRows(dsl);
    }
}
