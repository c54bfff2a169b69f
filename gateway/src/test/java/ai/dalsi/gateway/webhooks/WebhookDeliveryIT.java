package ai.dalsi.gateway.webhooks;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks end to end, on the real {@code serve} composition: the admin API revokes, rotates and
 * lists; the edge refuses requests over their limit; the ledger writes the refusals; the sender
 * delivers signed events to a receiver on port 0.
 */
@ExtendWith({FreshDatabaseExtension.class, NettyLeakExtension.class})
class WebhookDeliveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = WebhookSenderIT.SECRET;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final TestDatabase db;
    private SimulatedBackend backend;
    private WebhookReceiver receiver;
    private GatewayNode node;
    @TempDir
    Path dir;

    WebhookDeliveryIT(TestDatabase db) {
        this.db = db;
    }

    @BeforeEach
    void setUp() throws Exception {
        new EdgeSeed(db.dsl()).standardCatalog();
        backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        if (node != null) {
            node.close();
        }
        receiver.close();
        backend.close();
    }

    /** A node with webhooks on: signed, to this machine over http, fast retries. */
    private GatewayNode start(Clock clock, Map<String, String> overrides) {
        NodeEnvironment env = NodeEnvironment.of(db, backend.baseUrl(), dir.resolve("journal-" + UUID.randomUUID()))
                .with("GATEWAY_WEBHOOKS_SIGNING_SECRET", SECRET)
                .with("GATEWAY_WEBHOOKS_ALLOW_HTTP", "true")
                .with("GATEWAY_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true")
                .with("GATEWAY_WEBHOOKS_POLL_INTERVAL", "20ms")
                .with("GATEWAY_WEBHOOKS_RETRY_BACKOFF_MIN", "50ms")
                .with("GATEWAY_WEBHOOKS_RETRY_BACKOFF_MAX", "200ms")
                .with("GATEWAY_WEBHOOKS_CONNECT_TIMEOUT", "1s")
                .with("GATEWAY_WEBHOOKS_READ_TIMEOUT", "2s")
                .with("GATEWAY_WEBHOOKS_LEASE_DURATION", "8s");
        overrides.forEach(env::with);
        node = GatewayNode.start(env.config(), clock);
        return node;
    }

    private GatewayNode start() {
        return start(Clock.systemUTC(), Map.of());
    }

    record Response(int status, JsonNode json) {
    }

    private Response admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + NodeEnvironment.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    /** A key issued through the admin API with a webhook to the receiver; returns the create answer. */
    private JsonNode issueKey(String hookPath, String extra) throws Exception {
        Response user = admin("POST", "/admin/users", "{'email':'" + UUID.randomUUID() + "@example.com'}");
        assertThat(user.status()).isEqualTo(201);
        Response key = admin("POST", "/admin/keys", "{'user_id':'" + user.json().get("id").asText()
                + "','name':'ci','scopes':['ai.chat'],'webhook_url':'" + receiver.url(hookPath) + "'" + extra + "}");
        assertThat(key.status()).as(String.valueOf(key.json())).isEqualTo(201);
        return key.json();
    }

    private int chat(String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.edgePort() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + EdgeSeed.CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private long pending() {
        return db.dsl().fetchCount(WEBHOOK_EVENTS, WEBHOOK_EVENTS.STATUS.eq("pending"));
    }

    private List<WebhookReceiver.Received> ofType(String type) {
        return receiver.received().stream().filter(r -> type.equals(r.json().get("type").asText())).toList();
    }

    @Test
    void revokingAKeySendsOneKeyRevokedWhoseSignatureVerifies() throws Exception {
        start();
        JsonNode key = issueKey("/hooks/revoked", "");
        String keyId = key.get("id").asText();
        Instant before = Instant.now();

        assertThat(admin("POST", "/admin/keys/" + keyId + "/revoke", "{'reason':'leaked in a public repository'}")
                .status()).isEqualTo(200);

        Eventually.await("the receiver got the event", () -> receiver.received().size() == 1);
        Eventually.await("recorded as delivered", () -> pending() == 0);
        WebhookReceiver.Received r = receiver.received().getFirst();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/hooks/revoked");
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("user-agent")).isEqualTo("Dalsi-Webhooks/1.0");
        assertThat(StandardWebhooksVerifier.verify(SECRET, r, Instant.now())).as("signature").isTrue();
        assertThat(Long.parseLong(r.header("webhook-timestamp"))).isBetween(before.getEpochSecond() - 1,
                Instant.now().getEpochSecond());

        JsonNode body = r.json();
        assertThat(body.fieldNames()).toIterable().containsExactly("id", "type", "created_at", "data");
        assertThat(body.get("id").asText()).isEqualTo(r.header("webhook-id"));
        assertThat(body.get("type").asText()).isEqualTo("key.revoked");
        assertThat(Instant.parse(body.get("created_at").asText())).isBetween(before.minusSeconds(1), Instant.now());
        JsonNode data = body.get("data");
        assertThat(data.get("key_id").asText()).isEqualTo(keyId);
        assertThat(data.get("key_prefix").asText()).isEqualTo(key.get("key_prefix").asText());
        assertThat(data.get("key_name").asText()).isEqualTo("ci");
        assertThat(data.get("user_id").asText()).isEqualTo(key.get("user_id").asText());
        assertThat(data.get("reason").asText()).isEqualTo("leaked in a public repository");
        String plaintext = key.get("key").asText();
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(plaintext)
                .doesNotContain(plaintext.substring(12));
        assertThat(r.headers().values()).noneMatch(v -> v.contains(plaintext.substring(12)));

        Response list = admin("GET", "/admin/keys/" + keyId + "/webhook-deliveries", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("has_more").asBoolean()).isFalse();
        JsonNode d = list.json().get("data").get(0);
        assertThat(d.get("status").asText()).isEqualTo("delivered");
        assertThat(d.get("attempts").asInt()).isEqualTo(1);
        assertThat(d.get("payload")).isEqualTo(body);
        assertThat(receiver.received()).as("delivered once").hasSize(1);
    }

    @Test
    void aReceiverThatIsDownForAWhileGetsTheEventOnceWhenItIsBack() throws Exception {
        start();
        receiver.down();
        String keyId = issueKey("/hooks/flaky", "").get("id").asText();
        assertThat(admin("POST", "/admin/keys/" + keyId + "/revoke", "{'reason':'rotation drill'}").status())
                .isEqualTo(200);

        Eventually.await("three attempts failed", Duration.ofSeconds(15), () -> receiver.dropped() >= 3);
        receiver.up();
        Eventually.await("delivered", Duration.ofSeconds(15), () -> pending() == 0);
        assertThat(receiver.received()).hasSize(1);
        assertThat(receiver.received().getFirst().json().get("type").asText()).isEqualTo("key.revoked");

        JsonNode page = admin("GET", "/admin/keys/" + keyId + "/webhook-deliveries", null).json();
        String eventId = page.get("data").get(0).get("id").asText();
        JsonNode one = admin("GET", "/admin/webhook-deliveries/" + eventId, null).json();
        assertThat(one.get("status").asText()).isEqualTo("delivered");
        JsonNode history = one.get("attempt_history");
        assertThat(history.size()).isGreaterThanOrEqualTo(4).isEqualTo(one.get("attempts").asInt());
        for (int i = 0; i < history.size() - 1; i++) {
            assertThat(history.get(i).get("outcome").asText()).isEqualTo("network_error");
            assertThat(history.get(i).get("error").asText()).isEqualTo("connection closed before a response");
            assertThat(history.get(i).get("status_code").isNull()).isTrue();
        }
        JsonNode last = history.get(history.size() - 1);
        assertThat(last.get("outcome").asText()).isEqualTo("delivered");
        assertThat(last.get("status_code").asInt()).isEqualTo(204);
        assertThat(last.get("attempt").asInt()).isEqualTo(history.size());
    }

    @Test
    void aFloodOf429sOnOneKeyIsOneKeyRateLimitedPerWindow() throws Exception {
        FakeTime time = new FakeTime(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).plusSeconds(20));
        start(time, Map.of());
        EdgeSeed seed = new EdgeSeed(db.dsl());
        String key = seed.key(KeySpec.chat().withLimits(2, 1000, 10_000));
        UUID keyId = seed.keyId(key);
        assertThat(admin("PATCH", "/admin/keys/" + keyId, "{'webhook_url':'" + receiver.url("/hooks/limits") + "'}")
                .status()).isEqualTo(200);

        int refused = 0;
        for (int i = 0; i < 20; i++) {
            refused += chat(key) == 429 ? 1 : 0;
        }
        assertThat(refused).isGreaterThanOrEqualTo(17);
        awaitLedger(keyId, 20);
        Eventually.await("one key.rate_limited", () -> ofType("key.rate_limited").size() == 1 && pending() == 0);

        JsonNode data = ofType("key.rate_limited").getFirst().json().get("data");
        assertThat(data.get("key_id").asText()).isEqualTo(keyId.toString());
        assertThat(data.get("window").asText()).isEqualTo("minute");
        assertThat(data.get("limit_type").asText()).isEqualTo("requests");
        assertThat(data.get("window_start").asText()).isEqualTo(
                time.instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).toString().replace("Z", ".000Z"));
        assertThat(data.get("endpoint").asText()).isEqualTo("/v1/chat/completions");

        time.advance(Duration.ofMinutes(1));
        int refusedAgain = 0;
        for (int i = 0; i < 10; i++) {
            refusedAgain += chat(key) == 429 ? 1 : 0;
        }
        assertThat(refusedAgain).isGreaterThanOrEqualTo(9);
        awaitLedger(keyId, 30);
        Eventually.await("a second one, for the next minute",
                () -> ofType("key.rate_limited").size() == 2 && pending() == 0);
        assertThat(ofType("key.rate_limited").get(1).json().get("data").get("window_start").asText())
                .isNotEqualTo(data.get("window_start").asText());
        assertThat(receiver.received()).as("nothing else was sent").hasSize(2);
    }

    private void awaitLedger(UUID keyId, long requests) {
        Eventually.await("the ledger wrote " + requests + " requests", () -> db.dsl()
                .select(API_KEYS.TOTAL_REQUESTS).from(API_KEYS).where(API_KEYS.ID.eq(keyId))
                .fetchOne(API_KEYS.TOTAL_REQUESTS) == requests);
    }

    @Test
    void rotatingSendsKeyRotatedNamingTheNewKeyButNeverItsSecret() throws Exception {
        start();
        JsonNode key = issueKey("/hooks/rotated", "");
        Response rotated = admin("POST", "/admin/keys/" + key.get("id").asText() + "/rotate", null);
        assertThat(rotated.status()).isEqualTo(201);

        Eventually.await("delivered", () -> receiver.received().size() == 1 && pending() == 0);
        JsonNode body = receiver.received().getFirst().json();
        assertThat(body.get("type").asText()).isEqualTo("key.rotated");
        assertThat(body.get("data").get("key_id").asText()).isEqualTo(key.get("id").asText());
        assertThat(body.get("data").get("new_key_id").asText()).isEqualTo(rotated.json().get("id").asText());
        assertThat(body.get("data").get("new_key_prefix").asText()).isEqualTo(rotated.json().get("key_prefix").asText());
        assertThat(body.toString()).doesNotContain(rotated.json().get("key").asText().substring(12));
    }

    @Test
    void anExpiredKeyIsAnnouncedByTheSweep() throws Exception {
        start(Clock.systemUTC(), Map.of("GATEWAY_ADMIN_SWEEP_INTERVAL", "1s"));
        Instant expires = Instant.now().plusSeconds(2);
        JsonNode key = issueKey("/hooks/expired", ",'expires_at':'" + expires + "'");
        Eventually.await("key.expired delivered", Duration.ofSeconds(15), () -> ofType("key.expired").size() == 1);
        JsonNode data = ofType("key.expired").getFirst().json().get("data");
        assertThat(data.get("key_id").asText()).isEqualTo(key.get("id").asText());
        assertThat(Instant.parse(data.get("expires_at").asText())).isEqualTo(expires.truncatedTo(
                java.time.temporal.ChronoUnit.MILLIS));
    }

    @Test
    void aFailedDeliveryIsListedWithItsAttemptsAndRedeliveredOnRequest() throws Exception {
        start(Clock.systemUTC(), Map.of("GATEWAY_WEBHOOKS_MAX_ATTEMPTS", "2"));
        receiver.answer(500);
        String keyId = issueKey("/hooks/broken", "").get("id").asText();
        admin("POST", "/admin/keys/" + keyId + "/revoke", "{'reason':'r'}");
        Eventually.await("failed for good", () -> db.dsl().fetchCount(WEBHOOK_EVENTS,
                WEBHOOK_EVENTS.STATUS.eq("failed")) == 1);

        JsonNode d = admin("GET", "/admin/keys/" + keyId + "/webhook-deliveries?limit=5", null).json()
                .get("data").get(0);
        assertThat(d.get("status").asText()).isEqualTo("failed");
        assertThat(d.get("attempts").asInt()).isEqualTo(2);
        assertThat(d.get("last_status_code").asInt()).isEqualTo(500);
        assertThat(d.get("last_error").asText()).isEqualTo("HTTP 500");
        assertThat(d.get("failed_at").isNull()).isFalse();
        assertThat(d.get("next_attempt_at").isNull()).isTrue();
        String eventId = d.get("id").asText();
        JsonNode history = admin("GET", "/admin/webhook-deliveries/" + eventId, null).json().get("attempt_history");
        assertThat(history.size()).isEqualTo(2);
        assertThat(history.get(1).get("outcome").asText()).isEqualTo("http_error");
        assertThat(history.get(1).get("latency_ms").asInt()).isGreaterThanOrEqualTo(0);

        receiver.up();
        Response again = admin("POST", "/admin/webhook-deliveries/" + eventId + "/redeliver", null);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("status").asText()).isEqualTo("pending");
        assertThat(again.json().get("attempts").asInt()).isZero();
        assertThat(again.json().get("failed_at").isNull()).isTrue();
        Eventually.await("delivered after the redelivery", () -> pending() == 0);
        JsonNode after = admin("GET", "/admin/webhook-deliveries/" + eventId, null).json();
        assertThat(after.get("status").asText()).isEqualTo("delivered");
        assertThat(after.get("attempt_history").size()).isEqualTo(3);
        assertThat(receiver.received()).hasSize(3).allSatisfy(r ->
                assertThat(r.header("webhook-id")).isEqualTo(eventId));

        assertThat(admin("GET", "/admin/keys/" + keyId + "/webhook-deliveries?limit=0", null).status()).isEqualTo(400);
        assertThat(admin("GET", "/admin/keys/" + keyId + "/webhook-deliveries?starting_after=" + UUID.randomUUID(),
                null).json().get("error").get("field").asText()).isEqualTo("starting_after");
        assertThat(admin("GET", "/admin/keys/" + UUID.randomUUID() + "/webhook-deliveries", null).status())
                .isEqualTo(404);
        assertThat(admin("POST", "/admin/webhook-deliveries/" + UUID.randomUUID() + "/redeliver", null).status())
                .isEqualTo(404);
    }
}
