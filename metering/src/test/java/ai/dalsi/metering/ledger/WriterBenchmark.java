package ai.dalsi.metering.ledger;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.repo.UsageRow;
import ai.dalsi.persistence.testing.TestServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;

/**
 * The writer's rows/s next to raw JDBC batched inserts of the same kind of rows, measured in the
 * same run on a fresh database of the test server (default: the local PostgreSQL). Not a test:
 * <pre>
 *   ./mvnw -B -q -pl metering -am -Pbench -DskipTests -Dbench=writer process-test-classes
 *   ./mvnw -B -q -pl metering -am -Pbench -DskipTests -Dbench=writer "-Dbench.args=200000 100" process-test-classes
 * </pre>
 * (rows per contender, keys). Contenders:
 * <ul>
 *   <li>{@code raw-jdbc-batch}: a plain {@code INSERT} of the 19 columns, JDBC batches of 1,000 with
 *       {@code reWriteBatchedInserts}, one commit per batch; rows converted before the clock
 *       starts; no {@code ON CONFLICT}, no totals, no rollups;</li>
 *   <li>{@code writer:...}: a whole {@link BatchTransaction} per 1,000 events (conversion to rows
 *       and JSON included): rows, key totals and hourly rollups. The first is the one the ledger
 *       uses.</li>
 * </ul>
 * To be fair under a machine shared with other work, the contenders take turns in chunks of ten
 * batches, all on one pooled connection (one PostgreSQL backend). Besides wall-clock rows/s it
 * reports the CPU per row of the Java thread plus that backend ({@code /proc}), which other load
 * on the machine disturbs far less.
 */
public final class WriterBenchmark {

    private static final String RAW_INSERT = "INSERT INTO api_usage_logs (id, user_id, api_key_id, endpoint, method,"
            + " status_code, response_time_ms, request_size_bytes, response_size_bytes, ip_address, tokens_used,"
            + " cost_usd, subscription_tier, error_message, request_metadata, user_agent, rate_limit_remaining,"
            + " rate_limit_reset, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::inet, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)";
    private static final int BATCH = 1000;
    private static final int CHUNK = 10 * BATCH;

    private WriterBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int keyCount = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        List<BatchTransaction> writers = List.of(BatchTransaction.standard(),
                new ReturningBatchTransaction(new CopyRowInserter()), new ReturningBatchTransaction(new UnnestInserter()),
                new ReturningBatchTransaction(new MultiRowInserter()),
                new ReturningBatchTransaction(new BatchBindInserter()));
        if (System.getenv("BENCH_ABLATION") != null) {
            writers = List.of(ablation("stage+insert", 0), ablation("+lock", 1), ablation("+update", 2),
                    ablation("+lock+update", 3), ablation("+rollups", 4));
        }
        run(rows, keyCount, writers, System.out);
    }

    /** The standard transaction with only some of its steps, to see what each costs. */
    private static BatchTransaction ablation(String name, int steps) {
        StagingTable staging = new StagingTable();
        return new BatchTransaction() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int write(DSLContext dsl, Batch batch) {
                java.util.UUID[] keys = batch.events().stream().map(UsageEvent::apiKeyId).distinct()
                        .toArray(java.util.UUID[]::new);
                return dsl.transactionResult(cfg -> {
                    DSLContext tx = cfg.dsl();
                    if ((steps & 1) != 0) {
                        StagedBatchTransaction.lockKeys(tx, keys);
                    }
                    staging.ensure(tx);
                    CopyInserter.stage(tx, batch);
                    List<org.jooq.Query> queries = new ArrayList<>(List.of(CopyInserter.insertStaged(tx)));
                    if ((steps & 2) != 0) {
                        queries.add(StagedBatchTransaction.updateKeysQuery(tx));
                    }
                    if ((steps & 4) != 0) {
                        queries.add(StagedBatchTransaction.upsertRollupsQuery(tx));
                    }
                    tx.batch(queries).execute();
                    return batch.size();
                });
            }
        };
    }

    /** Time and CPU one contender has used so far. */
    private static final class Tally {
        final String name;
        long rows;
        long wallNanos;
        long javaCpuNanos;
        long pgCpuTicks;

        Tally(String name) {
            this.name = name;
        }

        double rowsPerSecond() {
            return rows / (wallNanos / 1e9);
        }

        double cpuMicrosPerRow(long ticksPerSecond) {
            return (javaCpuNanos / 1e3 + pgCpuTicks * 1e6 / ticksPerSecond) / rows;
        }
    }

    /** One way of writing; {@link #prepare} runs before the clock starts. */
    interface Contender {
        default Object prepare(List<UsageEvent> events) {
            return events;
        }

        void write(Object prepared) throws Exception;
    }

    static void run(int rowsPerContender, int keyCount, List<BatchTransaction> writers, PrintStream out)
            throws Exception {
        TestServer server = TestServer.fromEnvironment();
        String name = server.createDatabase("writerbench");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ai.dalsi.persistence.Migrations.migrate(server.urlOf(name), server.user(), server.password());
        try (Database db = Database.open(DatabaseConfig.of(server.urlOf(name), server.user(), server.password())
                .withMaxPoolSize(1).withMigrateOnStart(false))) {
            DSLContext dsl = db.dsl();
            String extra = System.getenv("BENCH_SQL");
            if (extra != null && !extra.isBlank()) {
                dsl.execute(extra);
            }
            List<Fixtures.Key> keys = Fixtures.keys(dsl, "bench", Math.max(1, keyCount / 2), 2);
            int backend = ((Number) dsl.fetchValue("select pg_backend_pid()")).intValue();
            boolean local = Files.exists(Path.of("/proc", Integer.toString(backend), "stat"));
            out.printf("writer benchmark %s: PostgreSQL %s, %d keys, batches of %d rows, %d rows per contender,"
                            + " turns of %d rows, load average at start %.1f on %d cores%n",
                    Instant.now().truncatedTo(ChronoUnit.SECONDS), dsl.fetchValue("show server_version"), keys.size(),
                    BATCH, rowsPerContender, CHUNK, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());

            List<Tally> tallies = new ArrayList<>();
            List<Contender> contenders = new ArrayList<>();
            tallies.add(new Tally("raw-jdbc-batch"));
            contenders.add(new Contender() {
                @Override
                public Object prepare(List<UsageEvent> events) {
                    List<UsageRow> rows = new ArrayList<>(events.size());
                    for (UsageEvent e : events) {
                        rows.add(UsageRows.row(e));
                    }
                    return rows;
                }

                @Override
                @SuppressWarnings("unchecked")
                public void write(Object rows) throws SQLException {
                    rawJdbc(db, (List<UsageRow>) rows);
                }
            });
            for (BatchTransaction w : writers) {
                tallies.add(new Tally("writer:" + w.name()));
                contenders.add(prepared -> {
                    @SuppressWarnings("unchecked")
                    List<UsageEvent> events = (List<UsageEvent>) prepared;
                    for (int i = 0; i < events.size(); i += BATCH) {
                        w.write(dsl, Batch.of(events.subList(i, Math.min(events.size(), i + BATCH))));
                    }
                });
            }
            Instant[] clock = {Instant.now().minus(50, ChronoUnit.MINUTES)};
            long[] seed = {1};
            // Warm-up: one chunk each (JIT, plan caches), not counted.
            for (Contender c : contenders) {
                c.write(c.prepare(next(keys, clock, seed)));
            }
            for (int done = 0; done < rowsPerContender; done += CHUNK) {
                for (int i = 0; i < contenders.size(); i++) {
                    List<UsageEvent> events = next(keys, clock, seed);
                    Object prepared = contenders.get(i).prepare(events);
                    Tally t = tallies.get(i);
                    long pg0 = local ? cpuTicks(backend) : 0;
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    contenders.get(i).write(prepared);
                    t.wallNanos += System.nanoTime() - t0;
                    t.javaCpuNanos += threads.getCurrentThreadCpuTime() - cpu0;
                    t.pgCpuTicks += local ? cpuTicks(backend) - pg0 : 0;
                    t.rows += events.size();
                }
            }
            double raw = tallies.getFirst().rowsPerSecond();
            double rawCpu = tallies.getFirst().cpuMicrosPerRow(100);
            out.println("contender                                        rows/s   vs raw" + (local
                    ? "   CPU us/row (java+pg)   java   rows per CPU-s vs raw" : ""));
            for (Tally t : tallies) {
                out.printf("  %-42s %9.0f   %5.2fx", t.name, t.rowsPerSecond(), t.rowsPerSecond() / raw);
                if (local) {
                    out.printf("   %8.1f             %6.1f   %5.2fx", t.cpuMicrosPerRow(100), t.javaCpuNanos / 1e3 / t.rows,
                            rawCpu / t.cpuMicrosPerRow(100));
                }
                out.println();
            }
            if (System.getenv("BENCH_ABLATION") != null) {
                out.println(dsl.fetch("select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables"
                        + " where relname in ('api_keys', 'api_usage_hourly')").format());
            }
        } finally {
            server.dropDatabase(name);
        }
    }

    private static List<UsageEvent> next(List<Fixtures.Key> keys, Instant[] clock, long[] seed) {
        List<UsageEvent> events = Fixtures.events(keys, CHUNK, clock[0], 1, seed[0]++);
        clock[0] = clock[0].plusMillis(CHUNK + 1);
        return events;
    }

    /** utime + stime of a local process, in clock ticks (USER_HZ, 100 on Linux). */
    private static long cpuTicks(int pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void rawJdbc(Database db, List<UsageRow> rows) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(RAW_INSERT)) {
                int inBatch = 0;
                for (UsageRow r : rows) {
                    ps.setObject(1, r.id());
                    ps.setObject(2, r.userId());
                    ps.setObject(3, r.apiKeyId());
                    ps.setString(4, r.endpoint());
                    ps.setString(5, r.method());
                    ps.setInt(6, r.statusCode());
                    setInt(ps, 7, r.responseTimeMs());
                    setInt(ps, 8, r.requestSizeBytes());
                    setInt(ps, 9, r.responseSizeBytes());
                    ps.setString(10, r.ipAddress());
                    ps.setInt(11, r.tokensUsed());
                    ps.setBigDecimal(12, r.costUsd());
                    ps.setString(13, r.subscriptionTier());
                    ps.setString(14, r.errorMessage());
                    ps.setString(15, r.requestMetadataJson());
                    ps.setString(16, r.userAgent());
                    setInt(ps, 17, r.rateLimitRemaining());
                    ps.setObject(18, r.rateLimitReset() == null ? null
                            : OffsetDateTime.ofInstant(r.rateLimitReset(), ZoneOffset.UTC));
                    ps.setObject(19, OffsetDateTime.ofInstant(r.createdAt(), ZoneOffset.UTC));
                    ps.addBatch();
                    if (++inBatch == BATCH) {
                        ps.executeBatch();
                        c.commit();
                        inBatch = 0;
                    }
                }
                if (inBatch > 0) {
                    ps.executeBatch();
                    c.commit();
                }
            }
        }
    }

    private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.INTEGER);
        } else {
            ps.setInt(i, v);
        }
    }
}
