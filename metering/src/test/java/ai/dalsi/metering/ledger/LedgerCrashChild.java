package ai.dalsi.metering.ledger;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.testing.Eventually;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The process {@link CrashRecoveryIT} kills: a ledger under load from several threads, each
 * writing the id of every event it is about to hand over to {@code attempted-<n>} and, once the
 * ledger acknowledged it, to {@code acked-<n>} (one unbuffered write per line, so a SIGKILL loses
 * at most the line being written). An event the ledger refuses is not acknowledged. Runs until
 * killed.
 *
 * <p>Arguments: journal directory, output directory, JDBC URL, user, password, then the keys as
 * {@code userId:keyId}.
 */
public final class LedgerCrashChild {

    private static final int THREADS = 3;

    public static void main(String[] args) throws Exception {
        Path journal = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Fixtures.Key> keys = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
            String[] p = args[i].split(":");
            keys.add(new Fixtures.Key(UUID.fromString(p[0]), UUID.fromString(p[1])));
        }
        Database db = Database.open(DatabaseConfig.of(args[2], args[3], args[4]).withMigrateOnStart(false)
                .withMaxPoolSize(2));
        // A flush interval long enough that a good share of acknowledged events is only in the
        // journal when the process dies.
        MeteringConfig config = MeteringConfig.defaults(journal)
                .withJournalSizes(4L * 1024 * 1024, 256L * 1024 * 1024)
                .withBatching(300, Duration.ofMillis(100));
        UsageLedger ledger = UsageLedger.start(config, db.dsl(), Clock.systemUTC(), MeteringMetrics.NOOP);
        // The load starts once the writer has stored a first event, so that the writer is busy
        // (not still starting) when the process dies.
        UsageEvent first = Fixtures.event(keys.getFirst(), Instant.now(), new SplittableRandom(99));
        ledger.accept(first).toCompletableFuture().join();
        try (FileOutputStream acked = new FileOutputStream(out.resolve("acked-first").toFile());
             FileOutputStream attempted = new FileOutputStream(out.resolve("attempted-first").toFile())) {
            byte[] line = (first.requestId() + "\n").getBytes(StandardCharsets.US_ASCII);
            attempted.write(line);
            acked.write(line);
        }
        Eventually.await("the writer stored a first event", Duration.ofSeconds(60), () -> db.dsl()
                .fetchCount(db.dsl().selectOne().from("api_usage_logs").where("id = ?", first.requestId())) > 0);
        for (int t = 0; t < THREADS; t++) {
            int n = t;
            Thread.ofPlatform().name("producer-" + n).start(() -> produce(ledger, keys, out, n));
        }
        System.out.println("READY");
        System.out.flush();
    }

    private static void produce(UsageLedger ledger, List<Fixtures.Key> keys, Path out, int n) {
        SplittableRandom random = new SplittableRandom(n);
        try (FileOutputStream attempted = new FileOutputStream(out.resolve("attempted-" + n).toFile(), true);
             FileOutputStream acked = new FileOutputStream(out.resolve("acked-" + n).toFile(), true)) {
            while (true) {
                UsageEvent e = Fixtures.event(keys.get(random.nextInt(keys.size())), Instant.now(), random);
                byte[] line = (e.requestId() + "\n").getBytes(StandardCharsets.US_ASCII);
                attempted.write(line);
                try {
                    ledger.accept(e).toCompletableFuture().join();
                } catch (java.util.concurrent.CompletionException refused) {
                    continue; // refused (the edge would answer 503): not acknowledged, keep going
                }
                acked.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
