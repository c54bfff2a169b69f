package ai.dalsi.loadtest.compare;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.loadtest.gen.KeySet;
import ai.dalsi.loadtest.gen.LoadGenerator;
import ai.dalsi.loadtest.gen.LoadSpec;
import ai.dalsi.loadtest.gen.RequestKind;
import ai.dalsi.loadtest.gen.RequestMix;
import ai.dalsi.loadtest.gen.RunResult;
import ai.dalsi.loadtest.gen.StatusClass;
import ai.dalsi.loadtest.reconcile.Reconciler;
import ai.dalsi.loadtest.report.BenchReport.Reconciliation;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refusal flood against a real node (in this JVM, with its ledger and a real PostgreSQL): only
 * over-limit keys, so nearly every request is a 429. The database receives a bounded number of
 * rows (the examples, at most {@value #SAMPLES} per key and minute, plus the few requests the
 * limit let through), the rollups and key totals count every answer, and the reconciliation of the
 * benchmark passes under the ledger's invariant.
 */
@ExtendWith(FreshDatabaseExtension.class)
@Timeout(180)
class RefusalFloodIT {

    private static final String TOKEN = "refusal-flood-admin-token-0123456789";
    private static final int SAMPLES = 3;
    private static final int KEYS = 4;
    private static final int REQUESTS = 3000;

    @Test
    void aFloodOfRefusalsIsCountedExactlyWithABoundedNumberOfRows(TestDatabase db, @TempDir Path journal)
            throws Exception {
        GatewayArm.seedCatalog(db.jdbcUrl(), db.user(), db.password(), "dalsi-ai", "dalsi-aivi");
        Map<String, String> env = new HashMap<>();
        try (SimulatedBackend backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build())) {
            env.put("GATEWAY_DB_URL", db.jdbcUrl());
            env.put("GATEWAY_DB_USER", db.user());
            env.put("GATEWAY_DB_PASSWORD", db.password());
            env.put("GATEWAY_DATABASE_MAX_POOL_SIZE", "4");
            env.put("GATEWAY_BACKEND_URL", backend.baseUrl().toString());
            env.put("GATEWAY_ADMIN_TOKEN", TOKEN);
            env.put("GATEWAY_HTTP_PORT", "0");
            env.put("GATEWAY_ADMIN_PORT", "0");
            env.put("GATEWAY_EDGE_HOST", "127.0.0.1");
            env.put("GATEWAY_EDGE_IO_THREADS", "2");
            env.put("GATEWAY_METERING_JOURNAL_DIRECTORY", journal.toString());
            env.put("GATEWAY_METERING_REFUSAL_SAMPLES_PER_MINUTE", Integer.toString(SAMPLES));
            try (GatewayNode node = GatewayNode.start(ConfigLoader.load(null, env))) {
                GatewayAdmin admin = new GatewayAdmin(URI.create("http://127.0.0.1:" + node.adminPort()), TOKEN);
                String user = admin.createUser("flood@example.com", "Flood");
                List<String> overLimit = new ArrayList<>();
                for (int i = 0; i < KEYS; i++) {
                    overLimit.add(admin.createKey(user, "over-limit-" + i, 1));
                }
                KeySet keys = KeySet.of(List.of(), overLimit, 1, 0, 0);
                RunResult r = LoadGenerator.run(LoadSpec.of(URI.create("http://127.0.0.1:" + node.edgePort()),
                        LoadSpec.Mode.CLOSED, 0, Duration.ofSeconds(60), 4, keys)
                        .withMix(RequestMix.only(RequestKind.CHAT)).withMaxRequests(REQUESTS));

                assertThat(r.completed()).isEqualTo(REQUESTS);
                assertThat(r.byStatus().get(429)).as("nearly all refused").isGreaterThanOrEqualTo(REQUESTS - KEYS * 2L);
                Map<String, long[]> answers = new HashMap<>();
                for (int k = 0; k < r.perKey().length; k++) {
                    answers.merge(ApiKeyFormat.sha256Hex(keys.key(k)), r.perKey()[k].clone(), (a, b) -> {
                        for (int c = 0; c < a.length; c++) {
                            a[c] += b[c];
                        }
                        return a;
                    });
                }
                Reconciler reconciler = new Reconciler(db.jdbcUrl(), db.user(), db.password());
                Reconciler.Drain drain = reconciler.awaitDrain(REQUESTS, Duration.ofSeconds(60), Duration.ofSeconds(10),
                        Duration.ofMillis(100));
                assertThat(drain.reachedExpected()).as(drain.description()).isTrue();

                Reconciliation rec = reconciler.check(answers, drain.description());
                assertThat(rec.findings()).isEmpty();
                assertThat(rec.passed()).isTrue();
                assertThat(rec.loggedByClass()).containsEntry(StatusClass.S4XX.label(), r.byStatus().get(429));

                long rows = reconciler.countStoredRows();
                long minutes = r.elapsed().toMinutes() + 2; // the run may touch one more minute at each end
                assertThat(rows).as("rows: the requests let through plus at most %d examples per key and minute",
                        SAMPLES).isLessThanOrEqualTo(KEYS * (2L + SAMPLES * minutes)).isPositive();
                assertThat(db.dsl().fetchValue("select sum(request_count) from api_usage_hourly"))
                        .as("the rollups count every answer").isEqualTo(java.math.BigDecimal.valueOf(REQUESTS));
            }
        }
    }
}
