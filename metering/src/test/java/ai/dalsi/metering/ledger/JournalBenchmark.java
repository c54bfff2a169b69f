package ai.dalsi.metering.ledger;

import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.MeteringMetrics;
import ai.dalsi.metering.UsageEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * The CPU an event loop spends in {@link UsageLedger#accept} (encode the event, append it to the
 * memory-mapped journal, return the completed stage), measured per caller thread with
 * {@link ThreadMXBean#getCurrentThreadCpuTime()}. Not a test:
 * <pre>
 *   ./mvnw -B -q -pl metering -am -Pbench -DskipTests -Dbench=journal process-test-classes
 *   ./mvnw -B -q -pl metering -am -Pbench -DskipTests -Dbench=journal "-Dbench.args=2 300000 5 50000" process-test-classes
 * </pre>
 * (caller threads, accept() per thread per round, rounds, events/s per thread: 50,000 per thread
 * is about what one event loop can serve at the gateway's 20-40 us per request).
 * The writer runs as usual but its database step is replaced by one that takes the batch without a
 * database, so the journal is read, committed and recycled as in production while only the edge's
 * side is timed. Also reported: the whole process's CPU per event (journal thread preparing and
 * forcing segments, writer thread reading and decoding, GC), which runs off the event loop.
 */
public final class JournalBenchmark {

    private JournalBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int ratePerThread = args.length > 3 ? Integer.parseInt(args[3]) : 50_000;
        Path dir = Files.createTempDirectory("journal-bench");
        BatchTransaction discard = new BatchTransaction() {
            @Override
            public String name() {
                return "discard";
            }

            @Override
            public int write(org.jooq.DSLContext dsl, Batch batch) {
                return batch.size();
            }
        };
        MeteringConfig config = MeteringConfig.defaults(dir).withBatching(1000, Duration.ofMillis(200))
                .withJournalSizes(64L << 20, 8L << 30);
        List<Fixtures.Key> keys = List.of(new Fixtures.Key(UUID.randomUUID(), UUID.randomUUID()),
                new Fixtures.Key(UUID.randomUUID(), UUID.randomUUID()));
        List<UsageEvent> events = Fixtures.events(keys, 100_000, Instant.now(), 1, 1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("journal benchmark %s: %d caller threads at %d events/s each, %d accept() per thread per"
                        + " round, %d rounds, %d cores, load average %.1f, event %d bytes encoded%n",
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), threads, ratePerThread, perRound, rounds,
                Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage(), encodedSize(events.getFirst()));
        try (UsageLedger ledger = UsageLedger.start(config, DSL.using(SQLDialect.POSTGRES), Clock.systemUTC(),
                MeteringMetrics.NOOP, discard)) {
            run(ledger, events, threads, perRound, ratePerThread, mx); // warm-up
            List<double[]> results = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                double callerNanos = run(ledger, events, threads, perRound, ratePerThread, mx);
                double wall = System.nanoTime() - t0;
                double process = (os.getProcessCpuTime() - cpu0) / (double) (threads * (long) perRound);
                results.add(new double[] {callerNanos, process, threads * (long) perRound / (wall / 1e9)});
                System.out.printf("  round %d: caller CPU %.0f ns/event, process CPU %.0f ns/event, %.0f events/s%n",
                        r + 1, callerNanos, process, results.getLast()[2]);
            }
            results.sort(Comparator.comparingDouble(x -> x[0]));
            double[] m = results.get(results.size() / 2);
            System.out.printf("median: caller CPU %.0f ns (%.2f us) per accept(), process CPU %.0f ns per event%n",
                    m[0], m[0] / 1000, m[1]);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static int encodedSize(UsageEvent e) {
        return EventCodec.encode(e, 0, new EventCodec.Scratch());
    }

    /** Runs the threads; returns the callers' CPU nanoseconds per accept(). */
    private static double run(UsageLedger ledger, List<UsageEvent> events, int threads, int perThread, int rate,
                              ThreadMXBean mx) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        long[] cpu = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                long c0 = mx.getCurrentThreadCpuTime();
                int n = events.size();
                long begin = System.nanoTime();
                for (int i = 0; i < perThread; i++) {
                    // Paced like an event loop under a steady load: bursts of 100, then wait for the
                    // schedule (parked, so the wait costs no CPU).
                    if (i % 100 == 0) {
                        long due = begin + i * 1_000_000_000L / rate;
                        long wait = due - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        }
                    }
                    var stage = ledger.accept(events.get((i + id * 7919) % n));
                    if (stage.toCompletableFuture().isCompletedExceptionally()) {
                        throw new IllegalStateException("refused: " + stage + " (the callers outran the disk)");
                    }
                }
                cpu[id] = mx.getCurrentThreadCpuTime() - c0;
            }));
        }
        long total = 0;
        for (int t = 0; t < threads; t++) {
            workers.get(t).join();
            total += cpu[t];
        }
        return total / (double) (threads * (long) perThread);
    }
}
