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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a {@code serve} JVM under load: the requests in flight at the signal complete with 200,
 * the process exits 0 with the JVM's other shutdown hooks run to their end (a flight recording
 * dumped on exit), and afterwards PostgreSQL has exactly one usage row per response the clients
 * received.
 */
@ExtendWith(FreshDatabaseExtension.class)
class GracefulShutdownIT {

    private static final int CLIENTS = 6;
    /** Long enough that every client has a request at the backend when the signal arrives. */
    private static final Duration BACKEND_LATENCY = Duration.ofMillis(1500);

    @Test
    void inFlightRequestsCompleteAndExitIsZero(TestDatabase db, @TempDir Path work) throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        String key = seed.key(KeySpec.chat().withLimits(100_000, 1_000_000, 10_000_000));
        int httpPort = GatewayProcess.freePort();
        int adminPort = GatewayProcess.freePort();
        try (SimulatedBackend backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                     .latency(BACKEND_LATENCY).build());
             GatewayProcess serve = GatewayProcess.start(work, NodeEnvironment.of(db, backend.baseUrl(), work.resolve("journal"))
                     .with("GATEWAY_HTTP_PORT", Integer.toString(httpPort))
                     .with("GATEWAY_ADMIN_PORT", Integer.toString(adminPort))
                     .with("GATEWAY_EDGE_SHUTDOWN_GRACE_PERIOD", "20s")
                     .variables(), List.of("-XX:StartFlightRecording=dumponexit=true,filename="
                             + work.resolve("gateway.jfr")), "serve")) {
            serve.awaitReady(adminPort, Duration.ofSeconds(40));
            try (LoadClients load = LoadClients.start(httpPort, key, EdgeSeed.CHAT_MODEL, CLIENTS)) {
                // A first wave done, and every client's next request waiting at the backend.
                Eventually.await("requests in flight at the backend", Duration.ofSeconds(20),
                        () -> load.ended() >= CLIENTS
                                && backend.stats().totalRequests() - load.ended() >= CLIENTS);
                int endedBefore = load.ended();
                load.signalled();
                serve.terminate();
                load.stopAndJoin(Duration.ofSeconds(40));

                assertThat(serve.awaitExit(Duration.ofSeconds(40))).as(serve.output()).isZero();
                List<LoadClients.Outcome> outcomes = load.outcomes();
                List<LoadClients.Outcome> inFlight = outcomes.subList(endedBefore, outcomes.size()).stream()
                        .filter(LoadClients.Outcome::startedBeforeSignal).toList();
                assertThat(inFlight).as("requests in flight at the signal").hasSizeGreaterThanOrEqualTo(CLIENTS);
                assertThat(inFlight).as("each completed with 200").allSatisfy(o -> {
                    assertThat(o.error()).isNull();
                    assertThat(o.status()).isEqualTo(200);
                });
                assertThat(outcomes).filteredOn(LoadClients.Outcome::received)
                        .as("every response the clients received").allMatch(o -> o.status() == 200);
                assertThat(serve.stderr()).anyMatch(l -> l.contains("shutting down"))
                        .anyMatch(l -> l.contains("gateway stopped") && !l.contains("with errors"));
                assertThat(work.resolve("gateway.jfr")).as("other shutdown hooks (JFR's dump on exit) ran to the end")
                        .isNotEmptyFile();

                // After exit, with no gateway running: the drain put every received response's usage in PostgreSQL.
                List<UUID> received = load.receivedIds().stream().map(UUID::fromString).toList();
                Map<UUID, Integer> rows = db.dsl().select(API_USAGE_LOGS.ID, DSL.count()).from(API_USAGE_LOGS)
                        .groupBy(API_USAGE_LOGS.ID).fetchMap(API_USAGE_LOGS.ID, DSL.count());
                assertThat(rows.keySet()).as("one row per response the clients received, and no other")
                        .containsExactlyInAnyOrderElementsOf(received);
                assertThat(rows.values()).allMatch(n -> n == 1);
            }
        }
    }
}
