package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.CODE_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.IMAGE_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.PREMIUM_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.json;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.CannedBackendProxy;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.RecordingEdgeMetrics;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.repo.ProductRepository;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The edge's behaviour around the proxy, with a canned proxy: what it forwards (streams ask for
 * usage; credentials stay behind), the model list, pipelining, responses waiting for the usage
 * sink, key cache invalidation and negative caching, catalog reloads and metrics.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeBehaviourIT {

    private final TestDatabase db;
    private final TestEdge edge;
    private final CannedBackendProxy proxy = new CannedBackendProxy();

    EdgeBehaviourIT(TestDatabase db) {
        this.db = db;
        edge = TestEdge.builder(db).proxy(proxy).start();
    }

    @AfterAll
    void stop() {
        edge.close();
        assertThat(edge.sql.violations()).as("SQL run on an event loop").isEmpty();
        assertThat(edge.sink.callingThreads()).as("the sink is called on event loops only, never blocking")
                .allMatch(t -> t.startsWith("edge-io"));
    }

    @Test
    void aStreamWithoutIncludeUsageIsAskedForItAndTheProxyToldTheClientDidNotAsk() {
        String key = edge.seed.key(KeySpec.chat());
        String body = "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"}\"}]}";
        assertThat(edge.post("/v1/chat/completions", key, body).statusCode()).isEqualTo(200);
        var f = proxy.last();
        assertThat(f.stream()).isTrue();
        assertThat(f.clientAskedForUsage()).isFalse();
        JsonNode sent = json(f.body());
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("}");
        assertThat(sent.get("model").asText()).isEqualTo(CHAT_MODEL);
    }

    @Test
    void aStreamThatAskedForUsageIsForwardedUnchanged() {
        String key = edge.seed.key(KeySpec.chat());
        String body = "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
        edge.post("/v1/chat/completions", key, body);
        assertThat(proxy.last().body()).isEqualTo(body);
        assertThat(proxy.last().clientAskedForUsage()).isTrue();
    }

    @Test
    void streamOptionsWithoutIncludeUsageAreCompleted() {
        String key = edge.seed.key(KeySpec.chat());
        edge.post("/v1/chat/completions", key,
                "{\"model\":\"" + CHAT_MODEL + "\",\"stream\":true,\"stream_options\":{\"include_usage\":false,\"x\":1}}");
        JsonNode sent = json(proxy.last().body());
        assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(sent.at("/stream_options/x").asInt()).isEqualTo(1);
        assertThat(proxy.last().clientAskedForUsage()).isFalse();
    }

    @Test
    void aPlainRequestIsForwardedAsSentWithoutCredentials() {
        String key = edge.seed.key(KeySpec.chat());
        String body = "{\"model\":\"" + CODE_MODEL + "\",\"prompt\":\"def f(\"}";
        var r = edge.send(edge.request("/v1/completions?x=1", key).header("x-api-key", key).header("OpenAI-Beta", "a")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).isEqualTo(200);
        var f = proxy.last();
        assertThat(f.body()).isEqualTo(body);
        assertThat(f.uri()).isEqualTo("/v1/completions?x=1");
        assertThat(f.headers().contains("authorization")).isFalse();
        assertThat(f.headers().contains("x-api-key")).isFalse();
        assertThat(f.headers().get("openai-beta")).isEqualTo("a");
        assertThat(edge.sink.only(requestId(r)).endpoint()).isEqualTo("/v1/completions");
    }

    @Test
    void modelListShowsWhatTheTierMayUse() {
        String free = edge.seed.key(KeySpec.chat());
        var r = edge.get("/v1/models", free);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = json(r.body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertThat(ids).containsExactly(CHAT_MODEL, CODE_MODEL, IMAGE_MODEL);
        assertThat(list.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(list.at("/data/0/created").asLong()).isPositive();
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.product()).isNull();
        assertThat(e.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("999");

        String pro = edge.seed.key(KeySpec.chat().withTier("pro"));
        assertThat(json(edge.get("/v1/models", pro).body()).toString()).contains(PREMIUM_MODEL);
        var one = edge.get("/v1/models/" + PREMIUM_MODEL, pro);
        assertThat(json(one.body()).get("id").asText()).isEqualTo(PREMIUM_MODEL);
        error(edge.get("/v1/models/" + PREMIUM_MODEL, free), 404, "model_not_found", "invalid_request_error");
        error(edge.send(edge.request("/v1/models", free).POST(HttpRequest.BodyPublishers.noBody()).build()),
                405, "method_not_allowed", "invalid_request_error");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOneAtATime() throws Exception {
        String key = edge.seed.key(KeySpec.chat());
        String chat = "{\"model\":\"" + CHAT_MODEL + "\"}";
        String requests = "GET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\n\r\n"
                + "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Length: " + chat.length() + "\r\n\r\n" + chat
                + "GET /v1/nowhere HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key + "\r\nConnection: close\r\n\r\n";
        String all;
        try (Socket s = new Socket("127.0.0.1", edge.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher status = Pattern.compile("HTTP/1.1 (\\d{3})").matcher(all);
        List<String> statuses = new ArrayList<>();
        while (status.find()) {
            statuses.add(status.group(1));
        }
        assertThat(statuses).containsExactly("200", "200", "404");
        Matcher ids = Pattern.compile("x-request-id: ([0-9a-f-]{36})").matcher(all);
        List<String> requestIds = new ArrayList<>();
        while (ids.find()) {
            requestIds.add(ids.group(1));
        }
        assertThat(requestIds).hasSize(3).doesNotHaveDuplicates();
        assertThat(edge.sink.only(requestIds.get(1)).product()).isEqualTo("ai.chat");
    }

    @Test
    void theResponseWaitsUntilTheSinkHasTheEvent() {
        String key = edge.seed.key(KeySpec.chat());
        edge.sink.holding(true);
        try {
            CompletableFuture<HttpResponse<String>> error = CompletableFuture.supplyAsync(() -> edge.get("/v1/none", key));
            CompletableFuture<HttpResponse<String>> ok = CompletableFuture.supplyAsync(() -> edge.chat(key, CHAT_MODEL));
            Eventually.await("both events reached the sink", () -> edge.sink.heldCount() == 2);
            assertThat(error).isNotDone();
            assertThat(ok).isNotDone();
            edge.sink.releaseHeld();
            assertThat(error.join().statusCode()).isEqualTo(404);
            assertThat(ok.join().statusCode()).isEqualTo(200);
            assertThat(ok.join().body()).contains("canned");
        } finally {
            edge.sink.holding(false);
            edge.sink.releaseHeld();
        }
    }

    @Test
    void anInvalidatedKeyIsReadAgain() {
        String key = edge.seed.key(KeySpec.chat());
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
        edge.seed.revoke(key);
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).as("still cached").isEqualTo(200);
        edge.server.keyInvalidation().invalidate(ApiKeyFormat.sha256Hex(key));
        error(edge.chat(key, CHAT_MODEL), 401, "api_key_revoked", "invalid_request_error");
    }

    @Test
    void anUnknownKeyIsRememberedForTheNegativeTtlWithoutAnAnnouncement() {
        // No key listener here: only time ends the memory (a node hears of new keys through V14).
        // Used again after the refresh age it is looked up again in the background, like a known key.
        ai.dalsi.gateway.config.EdgeConfig defaults = ai.dalsi.gateway.config.EdgeConfig.defaults();
        Duration ttl = defaults.keyCacheNegativeTtl();
        assertThat(ttl).isGreaterThan(defaults.keyCacheRefresh());
        String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, new SecureRandom());
        error(edge.chat(key, CHAT_MODEL), 401, "invalid_api_key", "invalid_request_error");
        edge.seed.store(key, edge.seed.user(), KeySpec.chat());
        error(edge.chat(key, CHAT_MODEL), 401, "invalid_api_key", "invalid_request_error");
        edge.time.advance(defaults.keyCacheRefresh().minusSeconds(1));
        error(edge.chat(key, CHAT_MODEL), 401, "invalid_api_key", "invalid_request_error");
        edge.time.advance(ttl.minus(defaults.keyCacheRefresh()).plusSeconds(2)); // past the negative TTL
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
    }

    @Test
    void productsComeFromTheDatabaseAndReload() {
        String key = edge.seed.key(KeySpec.scopes("ai.embed"));
        error(edge.post("/v1/embeddings", key, "{\"model\":\"" + CHAT_MODEL + "\"}"), 404, "not_found",
                "invalid_request_error");
        new ProductRepository(db.dsl()).upsert(EdgeSeed.product("ai.embed", List.of("/v1/embeddings"), "free", 100, "0", "embedding"));
        edge.server.catalog().reload();
        assertThat(edge.post("/v1/embeddings", key, "{\"model\":\"" + CHAT_MODEL + "\"}").statusCode()).isEqualTo(200);
        assertThat(proxy.last().uri()).isEqualTo("/v1/embeddings");
        var p = new ProductRepository(db.dsl()).findAll().stream().filter(x -> x.name().equals("ai.embed")).findFirst()
                .orElseThrow();
        new ProductRepository(db.dsl()).upsert(new ai.dalsi.persistence.repo.Product(p.id(), p.name(), p.displayName(),
                p.description(), p.category(), p.basePriceUsd(), p.pricePer1kTokens(), p.maxTokensPerRequest(),
                p.endpoints(), p.requiredScopes(), p.requiredSubscriptionTier(), false, p.isPublic(), p.kind()));
        edge.server.catalog().reload();
        error(edge.post("/v1/embeddings", key, "{\"model\":\"" + CHAT_MODEL + "\"}"), 404, "not_found",
                "invalid_request_error");
    }

    @Test
    void metricsSeeProductTierStatusAndRejections() {
        String key = edge.seed.key(KeySpec.chat().withTier("pro"));
        edge.chat(key, CHAT_MODEL);
        edge.chat(key, "nope");
        edge.chat(null, CHAT_MODEL);
        List<RecordingEdgeMetrics.Completed> completed = edge.metrics.completed();
        assertThat(completed).anySatisfy(c -> {
            assertThat(c.product()).isEqualTo("ai.chat");
            assertThat(c.tier()).isEqualTo("pro");
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.upstreamNanos()).isNotNegative();
            assertThat(c.totalNanos()).isGreaterThanOrEqualTo(c.upstreamNanos());
        });
        assertThat(completed).anySatisfy(c -> {
            assertThat(c.tier()).isEqualTo("none");
            assertThat(c.status()).isEqualTo(401);
            assertThat(c.upstreamNanos()).isEqualTo(-1);
        });
        assertThat(edge.metrics.rejected()).contains(ErrorCode.MODEL_NOT_FOUND, ErrorCode.INVALID_API_KEY);
    }
}
