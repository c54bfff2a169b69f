package ai.dalsi.loadtest.jmh;

import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseConfig;
import ai.dalsi.persistence.Migrations;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.repo.UsageRepository;
import ai.dalsi.persistence.repo.UsageRow;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rows per second into {@code api_usage_logs}, in batches of {@value #BATCH}: raw JDBC batching
 * (plain, and with the driver rewriting the batch into multi-row inserts) next to the persistence
 * layer's multi-row insert that the metering writer builds on. The score is rows/s (one operation
 * is one row). Runs against a fresh database on {@code GATEWAY_TEST_DB_URL} (default the local
 * server), dropped at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class LedgerInsertBenchmark {

    static final int BATCH = 1000;
    private static final String SQL = "INSERT INTO api_usage_logs (id, user_id, api_key_id, endpoint, method, status_code,"
            + " response_time_ms, tokens_used, cost_usd, subscription_tier, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private final AtomicLong clock = new AtomicLong();
    private String adminUrl;
    private String user;
    private String password;
    private String database;
    private String url;
    private Database db;
    private UsageRepository repository;
    private Connection plain;
    private Connection rewritten;
    private UUID userId;
    private final List<UUID> keyIds = new ArrayList<>();

    @Setup(Level.Trial)
    public void setup() throws SQLException {
        adminUrl = env("GATEWAY_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        user = env("GATEWAY_TEST_DB_USER", "postgres");
        password = env("GATEWAY_TEST_DB_PASSWORD", "");
        database = "jmh_ledger_" + Long.toString(System.nanoTime(), 36);
        admin("CREATE DATABASE " + database);
        url = adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
        Migrations.migrate(url, user, password);
        db = Database.open(DatabaseConfig.of(url, user, password));
        repository = new UsageRepository(db.dsl());
        plain = DriverManager.getConnection(url, user, password);
        rewritten = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true",
                user, password);
        userId = UUID.randomUUID();
        try (Statement s = plain.createStatement()) {
            s.execute("INSERT INTO users (id, email) VALUES ('" + userId + "', 'jmh@example.com')");
            for (int i = 0; i < 100; i++) {
                UUID id = UUID.randomUUID();
                keyIds.add(id);
                s.execute("INSERT INTO api_keys (id, user_id, key_hash, key_prefix, name) VALUES ('" + id + "', '" + userId
                        + "', '" + String.format("%064x", i) + "', 'dsk_live_jmh', 'jmh')");
            }
        }
        // Millisecond timestamps from now on, one per row, so ids never collide across batches.
        clock.set(System.currentTimeMillis() * 1000);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        plain.close();
        rewritten.close();
        db.close();
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    private Instant nextInstant() {
        // Distinct instants at microsecond steps, truncated to the millisecond the table keeps.
        return Instant.ofEpochMilli(clock.incrementAndGet() / 1000);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int[] jdbcBatch() throws SQLException {
        return jdbc(plain);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int[] jdbcBatchRewritten() throws SQLException {
        return jdbc(rewritten);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object usageRepositoryInsertBatch() {
        List<UsageRow> rows = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            Instant at = nextInstant();
            UUID id = UuidV7.at(at);
            rows.add(new UsageRow(id, userId, keyIds.get(i % keyIds.size()), "/v1/chat/completions", "POST", 200, 12,
                    200, 400, "127.0.0.1", 42, new BigDecimal("0.000063"), "enterprise", null, "{}", "jmh", 99,
                    null, UuidV7.instant(id)));
        }
        return repository.insertBatch(rows);
    }

    private int[] jdbc(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (PreparedStatement s = c.prepareStatement(SQL)) {
            for (int i = 0; i < BATCH; i++) {
                Instant at = nextInstant();
                UUID id = UuidV7.at(at);
                s.setObject(1, id);
                s.setObject(2, userId);
                s.setObject(3, keyIds.get(i % keyIds.size()));
                s.setString(4, "/v1/chat/completions");
                s.setString(5, "POST");
                s.setInt(6, 200);
                s.setInt(7, 12);
                s.setInt(8, 42);
                s.setBigDecimal(9, new BigDecimal("0.000063"));
                s.setString(10, "enterprise");
                s.setTimestamp(11, Timestamp.from(UuidV7.instant(id)));
                s.addBatch();
            }
            int[] r = s.executeBatch();
            c.commit();
            return r;
        }
    }

    private void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
