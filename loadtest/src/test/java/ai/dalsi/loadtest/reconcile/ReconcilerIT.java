package ai.dalsi.loadtest.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.loadtest.report.BenchReport.Reconciliation;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ledger check against a real database with hand-made users, keys and usage rows. */
@ExtendWith(FreshDatabaseExtension.class)
class ReconcilerIT {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String KEY_A = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, RANDOM);
    private static final String KEY_B = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, RANDOM);
    private static final String HASH_A = ApiKeyFormat.sha256Hex(KEY_A);
    private static final String HASH_B = ApiKeyFormat.sha256Hex(KEY_B);

    private final Reconciler reconciler;
    private final DSLContext dsl;

    ReconcilerIT(TestDatabase db) {
        this.reconciler = new Reconciler(db.jdbcUrl(), db.user(), db.password());
        this.dsl = db.dsl();
    }

    /** Key A: three 200s (10 tokens, $0.001 each) and one 429; key B: two 200s and one 500. Totals and rollups match. */
    @BeforeAll
    static void seed(DSLContext dsl) {
        dsl.execute("INSERT INTO users (id, email) VALUES ('00000000-0000-0000-0000-000000000001', 'load@example.com')");
        key(dsl, "00000000-0000-0000-0000-00000000000a", KEY_A, HASH_A);
        key(dsl, "00000000-0000-0000-0000-00000000000b", KEY_B, HASH_B);
        rows(dsl, "a", 200, 3, 10, "0.001");
        rows(dsl, "a", 429, 1, 0, "0");
        rows(dsl, "b", 200, 2, 7, "0.0005");
        rows(dsl, "b", 500, 1, 0, "0");
        dsl.execute("""
                UPDATE api_keys k SET total_requests = s.n, total_tokens_used = s.t, total_cost_usd = s.c
                  FROM (SELECT api_key_id, count(*) n, sum(tokens_used) t, sum(cost_usd) c
                          FROM api_usage_logs GROUP BY api_key_id) s
                 WHERE s.api_key_id = k.id""");
        dsl.execute("""
                INSERT INTO api_usage_hourly (api_key_id, user_id, endpoint, model, hour, request_count, tokens_used,
                                              cost_usd, error_count)
                SELECT api_key_id, user_id, endpoint, '', date_trunc('hour', created_at, 'UTC'), count(*),
                       sum(tokens_used), sum(cost_usd), count(*) FILTER (WHERE status_code >= 400)
                  FROM api_usage_logs GROUP BY api_key_id, user_id, endpoint, date_trunc('hour', created_at, 'UTC')""");
    }

    private static void key(DSLContext dsl, String id, String key, String hash) {
        dsl.execute("INSERT INTO api_keys (id, user_id, key_hash, key_prefix, name) VALUES (?::uuid, "
                + "'00000000-0000-0000-0000-000000000001', ?, ?, 'load')", id, hash, ApiKeyFormat.displayPrefix(key));
    }

    private static void rows(DSLContext dsl, String key, int status, int n, int tokens, String cost) {
        for (int i = 0; i < n; i++) {
            dsl.execute("INSERT INTO api_usage_logs (user_id, api_key_id, endpoint, method, status_code, tokens_used, cost_usd) "
                    + "VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000" + key
                    + "', '/v1/chat/completions', 'POST', ?, ?, ?::numeric)", status, tokens, cost);
        }
    }

    private static Map<String, long[]> seen(long a2, long a4, long b2, long b5, long bNoAnswer) {
        Map<String, long[]> m = new HashMap<>();
        m.put(HASH_A, new long[] {a2, a4, 0, 0});
        m.put(HASH_B, new long[] {b2, 0, b5, bNoAnswer});
        return m;
    }

    @Test
    void passesWhenRowsMatchTheAnswersAndTotalsMatchTheRows() throws Exception {
        Reconciliation r = reconciler.check(seen(3, 1, 2, 1, 0), "test");

        assertThat(r.findings()).isEmpty();
        assertThat(r.passed()).isTrue();
        assertThat(r.expectedByClass()).containsEntry("2xx", 5L).containsEntry("4xx", 1L).containsEntry("5xx", 1L);
        assertThat(r.loggedByClass()).containsEntry("2xx", 5L).containsEntry("4xx", 1L).containsEntry("5xx", 1L);
        assertThat(r.totals().get("api_keys.total_requests")).isEqualTo("7 = 7 rows");
        assertThat(r.totals().get("api_keys.total_tokens_used")).isEqualTo("44 = 44 (sum of rows)");
    }

    @Test
    void failsWhenTheGeneratorSawAnAnswerThatHasNoRow() throws Exception {
        Reconciliation r = reconciler.check(seen(4, 1, 2, 1, 0), "test");

        assertThat(r.passed()).isFalse();
        assertThat(r.keysWithWrongCounts()).isEqualTo(1);
        assertThat(r.findings()).anySatisfy(f -> assertThat(f).contains("rows by status class"));
    }

    @Test
    void failsWhenARowsStatusClassDiffersEvenIfTheTotalMatches() throws Exception {
        Reconciliation r = reconciler.check(seen(2, 2, 2, 1, 0), "test");

        assertThat(r.passed()).isFalse();
        assertThat(r.keysWithWrongCounts()).isEqualTo(1);
    }

    @Test
    void anExtraRowIsAcceptedOnlyWhenARequestGotNoAnswer() throws Exception {
        assertThat(reconciler.check(seen(3, 1, 1, 1, 1), "test").passed()).isTrue();
        assertThat(reconciler.check(seen(3, 1, 1, 1, 0), "test").passed()).isFalse();
    }

    @Test
    void failsWhenKeyTotalsDifferFromTheSumsOfTheRows() throws Exception {
        dsl.execute("UPDATE api_keys SET total_cost_usd = total_cost_usd + 0.00000001 WHERE key_hash = ?", HASH_B);
        try {
            Reconciliation r = reconciler.check(seen(3, 1, 2, 1, 0), "test");

            assertThat(r.passed()).isFalse();
            assertThat(r.keysWithWrongTotals()).isEqualTo(1);
            assertThat(r.findings()).anySatisfy(f -> assertThat(f).contains(ApiKeyFormat.displayPrefix(KEY_B))
                    .contains("$0.00100001").doesNotContain(KEY_B));
            assertThat(r.totals().get("api_keys.total_cost_usd")).contains("!=");
        } finally {
            dsl.execute("UPDATE api_keys SET total_cost_usd = total_cost_usd - 0.00000001 WHERE key_hash = ?", HASH_B);
        }
    }

    @Test
    void countedRefusalsAndTheirExampleRowsReconcileAsAnswers() throws Exception {
        // Key A gets 50 more 429s: counted, two of them also kept as example rows (which add nothing).
        dsl.execute("INSERT INTO api_usage_refusals (api_key_id, user_id, hour, endpoint, status_code, request_count)"
                + " VALUES ('00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-000000000001',"
                + " date_trunc('hour', now(), 'UTC'), '/v1/chat/completions', 429, 50)");
        for (int i = 0; i < 2; i++) {
            dsl.execute("INSERT INTO api_usage_logs (user_id, api_key_id, endpoint, method, status_code, request_metadata)"
                    + " VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a',"
                    + " '/v1/chat/completions', 'POST', 429, '{\"sampled_refusal\": true}')");
        }
        dsl.execute("UPDATE api_keys SET total_requests = total_requests + 50 WHERE key_hash = ?", HASH_A);
        dsl.execute("UPDATE api_usage_hourly SET request_count = request_count + 50, error_count = error_count + 50"
                + " WHERE api_key_id = '00000000-0000-0000-0000-00000000000a'");
        try {
            Reconciliation r = reconciler.check(seen(3, 51, 2, 1, 0), "test");

            assertThat(r.findings()).isEmpty();
            assertThat(r.loggedByClass()).containsEntry("4xx", 51L);
            assertThat(r.totals().get("api_keys.total_requests")).isEqualTo("57 = 7 rows + 50 counted refusals");
            assertThat(reconciler.countRows()).isEqualTo(57);
            assertThat(reconciler.check(seen(3, 52, 2, 1, 0), "test").passed()).as("one answer too many").isFalse();
        } finally {
            dsl.execute("DELETE FROM api_usage_refusals");
            dsl.execute("DELETE FROM api_usage_logs WHERE request_metadata->>'sampled_refusal' IS NOT NULL");
            dsl.execute("UPDATE api_keys SET total_requests = total_requests - 50 WHERE key_hash = ?", HASH_A);
            dsl.execute("UPDATE api_usage_hourly SET request_count = request_count - 50, error_count = error_count - 50"
                    + " WHERE api_key_id = '00000000-0000-0000-0000-00000000000a'");
        }
    }

    @Test
    void failsWhenKeyTotalsDifferFromTheRollups() throws Exception {
        dsl.execute("UPDATE api_usage_hourly SET request_count = request_count + 1 WHERE api_key_id ="
                + " '00000000-0000-0000-0000-00000000000b'");
        try {
            Reconciliation r = reconciler.check(seen(3, 1, 2, 1, 0), "test");

            assertThat(r.passed()).isFalse();
            assertThat(r.keysWithWrongTotals()).isEqualTo(1);
            assertThat(r.findings()).anySatisfy(f -> assertThat(f).contains("hourly rollups"));
        } finally {
            dsl.execute("UPDATE api_usage_hourly SET request_count = request_count - 1 WHERE api_key_id ="
                    + " '00000000-0000-0000-0000-00000000000b'");
        }
    }

    @Test
    void drainStopsAsSoonAsTheRowsReachTheExpectedCount() throws Exception {
        Reconciler.Drain d = reconciler.awaitDrain(7, Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMillis(5));

        assertThat(d.reachedExpected()).isTrue();
        assertThat(d.rows()).isEqualTo(7);
    }

    @Test
    void drainGivesUpWhenTheCountStopsMovingShortOfTheExpected() throws Exception {
        Reconciler.Drain d = reconciler.awaitDrain(9, Duration.ofSeconds(30), Duration.ZERO, Duration.ofMillis(5));

        assertThat(d.reachedExpected()).isFalse();
        assertThat(d.rows()).isEqualTo(7);
        assertThat(d.description()).contains("stable at 7 rows (expected 9)");
    }
}
