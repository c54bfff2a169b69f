package ai.dalsi.gateway.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes, each the full {@code serve} composition, on one database: a kill switch set
 * through node A's admin API is honoured by node B within one second, and so is switching it back
 * off. B's only ways to learn of it are the V13 notification and its 30 s poll. Likewise a user
 * deactivated through A: B has the user's key cached, and only the V10 notification tells it.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class FeatureFlagsTwoNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SimulatedBackend backend;
    private GatewayNode a;
    private GatewayNode b;
    private String key;
    private java.util.UUID keyId;

    @AfterEach
    void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private void startTwoNodes(TestDatabase db, Path dir) {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        key = seed.key(KeySpec.chat());
        keyId = seed.keyId(key);
        backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
        a = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("a")).config());
        b = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("b")).config());
        Eventually.await("both nodes listen for changes", Duration.ofSeconds(10),
                () -> a.listeningForKeyChanges() && b.listeningForKeyChanges());
    }

    @Test
    void aProductSwitchedOffThroughNodeAIsRefusedByNodeBWithinOneSecondAndServedAgainWhenOn(TestDatabase db,
            @TempDir Path dir) throws Exception {
        startTwoNodes(db, dir);
        assertThat(chat(b).statusCode()).isEqualTo(200);

        HttpResponse<String> set = admin(a, "PUT", "/admin/flags",
                "{\"name\":\"product:ai.chat\",\"is_enabled\":true,\"rollout_percentage\":100,"
                        + "\"description\":\"backend incident\"}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(201);
        String id = JSON.readTree(set.body()).path("id").asText();

        Eventually.await("node B refuses the switched-off product", Duration.ofSeconds(1),
                () -> chat(b).statusCode() == 503);
        HttpResponse<String> refused = chat(b);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(error.path("code").asText()).isEqualTo("service_unavailable");
        assertThat(error.path("message").asText()).contains("product:ai.chat");
        assertThat(chat(a).statusCode()).as("node A too").isEqualTo(503);

        HttpResponse<String> on = admin(a, "PATCH", "/admin/flags/" + id, "{\"is_enabled\":false}");
        assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
        Eventually.await("node B serves the product again", Duration.ofSeconds(1),
                () -> chat(b).statusCode() == 200);
        assertThat(chat(b).statusCode()).isEqualTo(200);

        HttpResponse<String> list = admin(a, "GET", "/admin/flags", null);
        assertThat(JSON.readTree(list.body()).path("data").get(0).path("is_enabled").asBoolean()).isFalse();
    }

    @Test
    void maintenanceThroughNodeAClosesNodeBsPublicPortWithRetryAfterEvenWithoutAKey(TestDatabase db,
            @TempDir Path dir) throws Exception {
        startTwoNodes(db, dir);
        HttpResponse<String> set = admin(a, "PUT", "/admin/flags", "{\"name\":\"maintenance\",\"is_enabled\":true}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(201);
        assertThat(JSON.readTree(set.body()).path("rollout_percentage").asInt()).as("the API's default").isEqualTo(100);

        Eventually.await("node B is in maintenance", Duration.ofSeconds(1), () -> chat(b).statusCode() == 503);
        HttpResponse<String> noKey = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + b.edgePort() + "/v1/models")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noKey.statusCode()).isEqualTo(503);
        assertThat(noKey.headers().firstValue("retry-after")).hasValue("60");
        assertThat(JSON.readTree(noKey.body()).path("error").path("message").asText()).contains("maintenance");

        HttpResponse<String> off = admin(a, "PUT", "/admin/flags", "{\"name\":\"maintenance\",\"is_enabled\":false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        Eventually.await("node B serves again", Duration.ofSeconds(1), () -> chat(b).statusCode() == 200);
    }

    @Test
    void aUserDeactivatedThroughNodeAHasTheirKeysRefusedByNodeBWithinOneSecond(TestDatabase db, @TempDir Path dir)
            throws Exception {
        startTwoNodes(db, dir);
        assertThat(chat(b).statusCode()).as("B serves (and caches) the key").isEqualTo(200);
        String userId = String.valueOf(db.dsl().fetchValue("SELECT user_id::text FROM api_keys WHERE id = ?", keyId));

        HttpResponse<String> off = admin(a, "PATCH", "/admin/users/" + userId, "{\"is_active\":false}");
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        Eventually.await("node B refuses the deactivated user's key", Duration.ofSeconds(1),
                () -> chat(b).statusCode() == 401 || chat(b).statusCode() == 403);
        assertThat(chat(b).statusCode()).isIn(401, 403);

        HttpResponse<String> on = admin(a, "PATCH", "/admin/users/" + userId, "{\"is_active\":true}");
        assertThat(on.statusCode()).as(on.body()).isEqualTo(200);
        Eventually.await("node B serves the user again", Duration.ofSeconds(1), () -> chat(b).statusCode() == 200);
    }

    private HttpResponse<String> admin(GatewayNode node, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .header("Authorization", "Bearer " + NodeEnvironment.ADMIN_TOKEN);
        if (body == null) {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(GatewayNode node) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
