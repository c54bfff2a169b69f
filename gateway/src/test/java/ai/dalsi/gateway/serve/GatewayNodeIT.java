package ai.dalsi.gateway.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.testing.GatewayProcess;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The composition in one JVM: readiness of a started node, and a failed start that leaves nothing behind. */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class GatewayNodeIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStartedNodeIsReadyAndReportsEachCheck(TestDatabase db, @TempDir Path dir) throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             GatewayNode node = GatewayNode.start(NodeEnvironment.of(db,
                     URI.create("http://127.0.0.1:" + backend.getLocalPort()), dir).config())) {
            Eventually.await("the key-change listener is up", Duration.ofSeconds(10), node::listeningForKeyChanges);
            HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.adminPort() + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonNode checks = JSON.readTree(ready.body()).get("checks");
            assertThat(checks.get("edge").get("detail").asText()).isEqualTo("public port " + node.edgePort() + " bound");
            assertThat(checks.get("metering").get("status").asText()).isEqualTo("up");
            assertThat(checks.get("database").get("status").asText()).isEqualTo("up");
            assertThat(checks.get("backend:http://127.0.0.1:" + backend.getLocalPort()).get("detail").asText())
                    .startsWith("circuit closed, connected to 127.0.0.1:" + backend.getLocalPort());
            assertThat(checks.get("key_changes").get("status").asText()).isEqualTo("up");
            assertThat(node.stop()).as("a clean stop").isTrue();
            assertThat(node.stop()).as("stopping twice is harmless").isTrue();
        }
    }

    @Test
    void aFailedStartReleasesThePublicPortAndTheDatabase(TestDatabase db, @TempDir Path dir) throws IOException {
        int edgePort;
        try (ServerSocket admin = new ServerSocket()) {
            admin.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            // Picked while the admin port is held: a port picked first and let go could be the one
            // the admin socket then gets, and the start would fail on the public port instead.
            edgePort = GatewayProcess.freePort();
            NodeEnvironment env = NodeEnvironment.of(db, URI.create("http://127.0.0.1:9"), dir)
                    .with("GATEWAY_HTTP_PORT", Integer.toString(edgePort))
                    .with("GATEWAY_ADMIN_PORT", Integer.toString(admin.getLocalPort()));
            assertThatThrownBy(() -> GatewayNode.start(env.config()))
                    .isInstanceOf(NodeStartException.class)
                    .hasMessageStartingWith("admin.port: cannot listen on 127.0.0.1:" + admin.getLocalPort())
                    .hasMessageEndingWith("set GATEWAY_ADMIN_PORT to a free port");
        }
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), edgePort));
            assertThat(again.getLocalPort()).as("the public port was closed again").isEqualTo(edgePort);
        }
        Eventually.await("the key-change listener's connection is closed", Duration.ofSeconds(10),
                () -> db.dsl().fetch("select pid from pg_stat_activity"
                        + " where datname = current_database() and application_name = 'dalsi-gateway-key-listener'")
                        .isEmpty());
    }
}
