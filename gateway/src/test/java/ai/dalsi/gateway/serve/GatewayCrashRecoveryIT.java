package ai.dalsi.gateway.serve;

import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.GatewayProcess;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.LoadClients;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's crash test at the gateway level: a {@code serve} JVM killed with SIGKILL under load and
 * restarted on the same journal and database ends with exactly one usage row for every response its
 * clients fully received: none missing, none doubled. Requests whose responses never arrived may
 * have rows too (their events were journaled before the kill); the test counts and reports them.
 */
@ExtendWith(FreshDatabaseExtension.class)
class GatewayCrashRecoveryIT {

    private static final int CLIENTS = 8;

    @Test
    void sigkillUnderLoadThenRestartLosesNoRowAndDoublesNone(TestDatabase db, @TempDir Path work) throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        Path journal = work.resolve("journal");
        try (SimulatedBackend backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ofMillis(20)).build())) {
            List<String> received;
            int attempted;
            int adminPort = GatewayProcess.freePort();
            int httpPort = GatewayProcess.freePort();
            try (GatewayProcess first = GatewayProcess.start(work, env(db, backend, journal, httpPort, adminPort), "serve")) {
                first.awaitReady(adminPort, Duration.ofSeconds(40));
                try (LoadClients load = LoadClients.start(httpPort, key, EdgeSeed.CHAT_MODEL, CLIENTS)) {
                    Eventually.await("a few hundred responses", Duration.ofSeconds(30), () -> load.ended() >= 300);
                    first.kill();
                    load.stopAndJoin(Duration.ofSeconds(30));
                    assertThat(first.awaitExit(Duration.ofSeconds(20))).as("killed").isEqualTo(137);
                    received = load.receivedIds();
                    attempted = load.started();
                    assertThat(load.outcomes()).filteredOn(LoadClients.Outcome::received)
                            .allMatch(o -> o.status() == 200 && o.requestId() != null);
                }
            }
            assertThat(received).hasSizeGreaterThanOrEqualTo(300);
            assertThat(new HashSet<>(received)).as("request ids are unique").hasSameSizeAs(received);

            int adminPort2 = GatewayProcess.freePort();
            try (GatewayProcess second = GatewayProcess.start(work,
                    env(db, backend, journal, GatewayProcess.freePort(), adminPort2), "serve")) {
                second.awaitReady(adminPort2, Duration.ofSeconds(40));
                Set<UUID> ids = new HashSet<>(received.stream().map(UUID::fromString).toList());
                Eventually.await("every received response has its row after the restart", Duration.ofSeconds(30),
                        () -> db.dsl().fetchCount(API_USAGE_LOGS, API_USAGE_LOGS.ID.in(ids)) == ids.size());
                second.terminate();
                assertThat(second.awaitExit(Duration.ofSeconds(30))).as(second.output()).isZero();
            }

            DSLContext dsl = db.dsl();
            Map<UUID, Integer> rowsPerId = dsl.select(API_USAGE_LOGS.ID, DSL.count()).from(API_USAGE_LOGS)
                    .groupBy(API_USAGE_LOGS.ID).fetchMap(API_USAGE_LOGS.ID, DSL.count());
            assertThat(rowsPerId.values()).as("no request counted twice").allMatch(n -> n == 1);
            for (String id : received) {
                assertThat(rowsPerId.get(UUID.fromString(id))).as("row of received response " + id).isEqualTo(1);
            }
            int notReceived = rowsPerId.size() - received.size();
            assertThat(notReceived).as("rows beyond the received responses are requests cut off by the kill")
                    .isBetween(0, attempted - received.size());
            System.out.printf("crash test: %d requests started, %d responses received, %d rows, %d rows for"
                    + " requests whose response the kill cut off%n", attempted, received.size(), rowsPerId.size(),
                    notReceived);
        }
    }

    private static Map<String, String> env(TestDatabase db, SimulatedBackend backend, Path journal, int http, int admin) {
        return NodeEnvironment.of(db, backend.baseUrl(), journal)
                .with("GATEWAY_HTTP_PORT", Integer.toString(http))
                .with("GATEWAY_ADMIN_PORT", Integer.toString(admin))
                .variables();
    }
}
