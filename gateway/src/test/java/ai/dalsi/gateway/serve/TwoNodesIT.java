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
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway nodes, each the full {@code serve} composition, on one database: a key revoked through
 * node A's admin API is refused by node B within one second. B has the key cached (and its cache
 * would not reload it for 30 s), so only the LISTEN/NOTIFY path can tell it.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class TwoNodesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SimulatedBackend backend;
    private GatewayNode a;
    private GatewayNode b;

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

    @Test
    void aKeyRevokedThroughNodeAIsRefusedByNodeBWithinOneSecond(TestDatabase db, @TempDir Path dir) throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        String key = seed.key(KeySpec.chat());
        UUID keyId = seed.keyId(key);
        backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
        a = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("a")).config());
        b = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("b")).config());
        assertThat(b.config().edge().keyCacheRefresh()).as("B's cache alone would take this long")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(30));
        Eventually.await("both nodes listen for key changes", Duration.ofSeconds(10),
                () -> a.listeningForKeyChanges() && b.listeningForKeyChanges());

        assertThat(chat(a, key).statusCode()).isEqualTo(200);
        HttpResponse<String> cached = chat(b, key);
        assertThat(cached.statusCode()).as("B serves (and caches) the key").isEqualTo(200);

        HttpResponse<String> revoked = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + a.adminPort() + "/admin/keys/" + keyId + "/revoke"))
                .header("Authorization", "Bearer " + NodeEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"leaked in a public repository\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        Eventually.await("node B refuses the revoked key", Duration.ofSeconds(1), () -> {
            HttpResponse<String> r = chat(b, key);
            return r.statusCode() == 401 && "api_key_revoked".equals(code(r));
        });
        HttpResponse<String> refused = chat(b, key);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(code(refused)).isEqualTo("api_key_revoked");
        assertThat(refused.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void aKeyCreatedAfterNodeBFoundNoSuchKeyIsAcceptedByBWithinOneSecond(TestDatabase db, @TempDir Path dir)
            throws Exception {
        EdgeSeed seed = new EdgeSeed(db.dsl()).standardCatalog();
        String key = ai.dalsi.gateway.auth.ApiKeyFormat.generate(ai.dalsi.gateway.auth.KeyEnvironment.PRODUCTION,
                new java.security.SecureRandom());
        backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
        b = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("b")).config());
        assertThat(b.config().edge().keyCacheNegativeTtl()).as("B alone would remember 'no such key' this long")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(60));
        Eventually.await("B listens for key changes", Duration.ofSeconds(10), b::listeningForKeyChanges);

        HttpResponse<String> unknown = chat(b, key);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(401);
        assertThat(code(unknown)).isEqualTo("invalid_api_key");

        // Created by another writer than any node (the portal, psql): only the V14 trigger tells B.
        seed.store(key, seed.user(), KeySpec.chat());
        Eventually.await("node B accepts the new key", Duration.ofSeconds(1), () -> chat(b, key).statusCode() == 200);
        HttpResponse<String> accepted = chat(b, key);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
    }

    private HttpResponse<String> chat(GatewayNode node, String key) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String code(HttpResponse<String> r) throws IOException {
        JsonNode error = JSON.readTree(r.body()).path("error");
        return error.path("code").asText(null);
    }
}
