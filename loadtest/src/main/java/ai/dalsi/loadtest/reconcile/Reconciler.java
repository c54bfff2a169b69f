package ai.dalsi.loadtest.reconcile;

import ai.dalsi.loadtest.gen.StatusClass;
import ai.dalsi.loadtest.report.BenchReport.Reconciliation;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * Checks the usage ledger after a load run against the gateway, by the ledger's invariant: for
 * every key, the rows of requests that were not refused by the edge plus the refusals counted in
 * {@code api_usage_refusals} equal the answers the generator saw (by status class, in total and per
 * key); the key's totals in {@code api_keys} equal those rows and counts (requests) and the sums
 * of its rows (tokens, cost); and they equal the key's hourly rollups. Rows marked
 * {@code sampled_refusal} are examples of counted refusals and are not counted again.
 *
 * <p>Requests that got no answer at all are the one uncertainty: the gateway may have logged them
 * (a client abort) or never seen them. Their number bounds the extra rows allowed; it is zero in a
 * healthy run, and the report says so.
 */
public final class Reconciler {

    private static final List<StatusClass> CHECKED = List.of(StatusClass.S2XX, StatusClass.S4XX, StatusClass.S5XX);

    private final String jdbcUrl;
    private final String user;
    private final String password;

    public Reconciler(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password == null ? "" : password;
    }

    /** How the wait for the metering writer ended, in words for the report. */
    public record Drain(long rows, boolean reachedExpected, String description) {
    }

    /** What the ledger holds for the requests of one key: its rows (examples left out) plus its counted refusals. */
    private static final String LEDGER_COUNT = """
            SELECT (SELECT count(*) FROM api_usage_logs WHERE request_metadata->>'sampled_refusal' IS NULL)
                 + (SELECT coalesce(sum(request_count), 0) FROM api_usage_refusals)""";

    /**
     * Polls the ledger's request count (rows of requests the edge did not refuse, plus counted
     * refusals) until it equals {@code expected}, or has not changed for {@code stableFor},
     * or {@code timeout} passed, whichever comes first.
     */
    public Drain awaitDrain(long expected, Duration timeout, Duration stableFor, Duration pollEvery) throws SQLException {
        long start = System.nanoTime();
        long last = -1;
        long lastChange = start;
        try (Connection c = connect()) {
            while (true) {
                long rows = countRows(c);
                long now = System.nanoTime();
                String after = String.format(Locale.ROOT, "%.1f s", (now - start) / 1e9);
                if (rows == expected) {
                    return new Drain(rows, true, "the ledger (rows + counted refusals) reached the expected " + rows
                            + " rows after " + after);
                }
                if (rows != last) {
                    last = rows;
                    lastChange = now;
                } else if (now - lastChange >= stableFor.toNanos()) {
                    return new Drain(rows, false, "the ledger (rows + counted refusals) stable at " + rows
                            + " rows (expected " + expected
                            + ") for " + stableFor.toSeconds() + " s, after " + after);
                }
                if (now - start >= timeout.toNanos()) {
                    return new Drain(rows, false, "gave up waiting after " + after + " at " + rows + " rows (expected "
                            + expected + ")");
                }
                LockSupport.parkNanos(pollEvery.toNanos());
            }
        }
    }

    /** The ledger's request count: rows of requests the edge did not refuse, plus counted refusals. */
    public long countRows() throws SQLException {
        try (Connection c = connect()) {
            return countRows(c);
        }
    }

    /** The number of rows in {@code api_usage_logs}, examples of refusals included. */
    public long countStoredRows() throws SQLException {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("SELECT count(*) FROM api_usage_logs");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long countRows(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(LEDGER_COUNT);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Compares the ledger with what the generator saw.
     *
     * @param expectedByKeyHash per registered key (hex SHA-256): answered requests by {@link StatusClass}
     *                          ordinal; the {@link StatusClass#OTHER} slot holds requests without an answer
     * @param drain             how the wait for metering ended
     */
    public Reconciliation check(Map<String, long[]> expectedByKeyHash, String drain) throws SQLException {
        Map<String, long[]> logged = new HashMap<>();
        List<KeyTotals> totals = new ArrayList<>();
        try (Connection c = connect()) {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT k.key_hash,
                           CASE WHEN x.status_code BETWEEN 200 AND 299 THEN 0
                                WHEN x.status_code BETWEEN 400 AND 499 THEN 1
                                WHEN x.status_code BETWEEN 500 AND 599 THEN 2
                                ELSE 3 END AS status_class,
                           sum(x.n)
                      FROM (SELECT api_key_id, status_code, 1 AS n FROM api_usage_logs
                             WHERE request_metadata->>'sampled_refusal' IS NULL
                            UNION ALL
                            SELECT api_key_id, status_code, request_count FROM api_usage_refusals) x
                      JOIN api_keys k ON k.id = x.api_key_id
                     GROUP BY 1, 2""");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    logged.computeIfAbsent(rs.getString(1), k -> new long[StatusClass.values().length])[rs.getInt(2)] += rs.getLong(3);
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT k.key_hash, k.key_prefix, k.total_requests, k.total_tokens_used, k.total_cost_usd,
                           coalesce(l.n, 0), coalesce(l.t, 0), coalesce(l.c, 0), coalesce(r.n, 0),
                           coalesce(h.n, 0), coalesce(h.t, 0), coalesce(h.c, 0)
                      FROM api_keys k
                      LEFT JOIN (SELECT api_key_id, count(*) n, sum(tokens_used) t, sum(cost_usd) c FROM api_usage_logs
                                  WHERE request_metadata->>'sampled_refusal' IS NULL GROUP BY 1) l ON l.api_key_id = k.id
                      LEFT JOIN (SELECT api_key_id, sum(request_count) n FROM api_usage_refusals GROUP BY 1) r
                             ON r.api_key_id = k.id
                      LEFT JOIN (SELECT api_key_id, sum(request_count) n, sum(tokens_used) t, sum(cost_usd) c
                                   FROM api_usage_hourly GROUP BY 1) h ON h.api_key_id = k.id""");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    totals.add(new KeyTotals(rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getBigDecimal(5),
                            rs.getLong(6), rs.getLong(7), rs.getBigDecimal(8), rs.getLong(9),
                            new Rollups(rs.getLong(10), rs.getLong(11), rs.getBigDecimal(12))));
                }
            }
        }
        return compare(expectedByKeyHash, logged, totals, drain);
    }

    /** A key's sums over its hourly rollups. */
    record Rollups(long requests, long tokens, BigDecimal cost) {
    }

    /**
     * One key's stored totals next to the sums of its rows (examples of refusals left out), its
     * counted refusals and its rollups.
     */
    record KeyTotals(String prefix, long totalRequests, long totalTokens, BigDecimal totalCost,
            long rows, long rowTokens, BigDecimal rowCost, long refusals, Rollups rollups) {

        /** Totals equal rows plus refusals (requests) and the rows' sums (tokens, cost). */
        boolean matchesRows() {
            return totalRequests == rows + refusals && totalTokens == rowTokens && totalCost.compareTo(rowCost) == 0;
        }

        /** Totals equal the key's rollups. */
        boolean matchesRollups() {
            return totalRequests == rollups.requests() && totalTokens == rollups.tokens()
                    && totalCost.compareTo(rollups.cost()) == 0;
        }

        boolean consistent() {
            return matchesRows() && matchesRollups();
        }
    }

    static Reconciliation compare(Map<String, long[]> expected, Map<String, long[]> logged, List<KeyTotals> totals,
            String drain) {
        long[] expectedSum = new long[StatusClass.values().length];
        long[] loggedSum = new long[StatusClass.values().length];
        expected.values().forEach(v -> add(expectedSum, v));
        logged.values().forEach(v -> add(loggedSum, v));
        long unanswered = expectedSum[StatusClass.OTHER.ordinal()];
        List<String> findings = new ArrayList<>();

        Map<String, Long> expectedByClass = new LinkedHashMap<>();
        Map<String, Long> loggedByClass = new LinkedHashMap<>();
        for (StatusClass c : CHECKED) {
            expectedByClass.put(c.label(), expectedSum[c.ordinal()]);
            loggedByClass.put(c.label(), loggedSum[c.ordinal()]);
        }
        loggedByClass.put("other", loggedSum[StatusClass.OTHER.ordinal()]);
        if (!withinUnanswered(expectedSum, loggedSum, unanswered)) {
            findings.add("rows by status class " + loggedByClass + " differ from the answers the generator saw "
                    + expectedByClass + (unanswered > 0 ? " (" + unanswered + " requests got no answer)" : ""));
        }

        Set<String> keys = new HashSet<>(expected.keySet());
        keys.addAll(logged.keySet());
        long wrongCounts = 0;
        for (String k : keys) {
            long[] e = expected.getOrDefault(k, new long[StatusClass.values().length]);
            long[] l = logged.getOrDefault(k, new long[StatusClass.values().length]);
            if (!withinUnanswered(e, l, e[StatusClass.OTHER.ordinal()])) {
                wrongCounts++;
            }
        }
        if (wrongCounts > 0) {
            findings.add(wrongCounts + " keys have a number of rows that differs from the answers the generator saw");
        }

        long wrongTotals = 0;
        long totalRequests = 0;
        long rowCount = 0;
        long refusalCount = 0;
        long rollupRequests = 0;
        long totalTokens = 0;
        long rowTokens = 0;
        BigDecimal totalCost = BigDecimal.ZERO;
        BigDecimal rowCost = BigDecimal.ZERO;
        for (KeyTotals t : totals) {
            if (!t.consistent()) {
                wrongTotals++;
                if (wrongTotals <= 5 && !t.matchesRows()) {
                    findings.add("key " + t.prefix() + "...: api_keys totals (" + t.totalRequests() + " requests, "
                            + t.totalTokens() + " tokens, $" + t.totalCost().toPlainString() + ") != sums of its rows ("
                            + t.rows() + (t.refusals() > 0 ? " + " + t.refusals() + " counted refusals" : "") + ", "
                            + t.rowTokens() + ", $" + t.rowCost().toPlainString() + ")");
                } else if (wrongTotals <= 5) {
                    findings.add("key " + t.prefix() + "...: api_keys totals (" + t.totalRequests() + " requests, "
                            + t.totalTokens() + " tokens, $" + t.totalCost().toPlainString() + ") != its hourly rollups ("
                            + t.rollups().requests() + ", " + t.rollups().tokens() + ", $"
                            + t.rollups().cost().toPlainString() + ")");
                }
            }
            totalRequests += t.totalRequests();
            rowCount += t.rows();
            refusalCount += t.refusals();
            rollupRequests += t.rollups().requests();
            totalTokens += t.totalTokens();
            rowTokens += t.rowTokens();
            totalCost = totalCost.add(t.totalCost());
            rowCost = rowCost.add(t.rowCost());
        }
        if (wrongTotals > 5) {
            findings.add((wrongTotals - 5) + " more keys with totals that differ from their rows or rollups");
        }
        Map<String, String> totalsText = new LinkedHashMap<>();
        long ledger = rowCount + refusalCount;
        totalsText.put("api_keys.total_requests", totalRequests + (totalRequests == ledger ? " = " : " != ") + rowCount
                + " rows" + (refusalCount > 0 ? " + " + refusalCount + " counted refusals" : ""));
        totalsText.put("api_usage_hourly.request_count", rollupRequests + (rollupRequests == totalRequests ? " = " : " != ")
                + "api_keys.total_requests");
        totalsText.put("api_keys.total_tokens_used", totalTokens + (totalTokens == rowTokens ? " = " : " != ")
                + rowTokens + " (sum of rows)");
        totalsText.put("api_keys.total_cost_usd", totalCost.toPlainString() + (totalCost.compareTo(rowCost) == 0 ? " = " : " != ")
                + rowCost.toPlainString() + " (sum of rows)");
        return new Reconciliation(findings.isEmpty(), expectedByClass, loggedByClass, unanswered, wrongCounts, wrongTotals,
                totalsText, drain, findings);
    }

    /**
     * Each checked class has at least the answered requests, no row has a status outside them beyond
     * what the unanswered requests explain, and the surplus is at most the unanswered requests.
     */
    private static boolean withinUnanswered(long[] expected, long[] logged, long unanswered) {
        long surplus = 0;
        for (StatusClass c : StatusClass.values()) {
            long e = c == StatusClass.OTHER ? 0 : expected[c.ordinal()];
            long d = logged[c.ordinal()] - e;
            if (d < 0) {
                return false;
            }
            surplus += d;
        }
        return surplus <= unanswered;
    }

    private static void add(long[] into, long[] v) {
        for (int i = 0; i < into.length; i++) {
            into[i] += v[i];
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password);
    }
}
