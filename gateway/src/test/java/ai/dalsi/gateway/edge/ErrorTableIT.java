package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.IMAGE_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.PREMIUM_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.RETIRED_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.CannedBackendProxy;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One real HTTP request per row of the error table in docs/ARCHITECTURE.md (and the edge's other refusals),
 * against a real edge on port 0 and real PostgreSQL: status, OpenAI error JSON code and type,
 * x-request-id, and for a known key exactly one usage event.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorTableIT {

    private final TestEdge edge;
    private final CannedBackendProxy proxy = new CannedBackendProxy();

    ErrorTableIT(TestDatabase db) {
        edge = TestEdge.builder(db).proxy(proxy).config(c -> c.maxBodyBytes(4096)
                .bodyTimeout(Duration.ofSeconds(1))).start();
    }

    @AfterEach
    void reset() {
        proxy.failWith(null);
        edge.sink.accepting(true);
        edge.sink.failing(false);
    }

    @AfterAll
    void stop() {
        edge.close();
        assertThat(edge.sql.violations()).as("SQL run on an event loop").isEmpty();
    }

    private UsageEvent onlyEvent(HttpResponse<?> r, String key, int status) {
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.apiKeyId()).isEqualTo(edge.seed.keyId(key));
        assertThat(e.createdAt()).isEqualTo(edge.time.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        return e;
    }

    private void noEvent(HttpResponse<?> r) {
        assertThat(edge.sink.of(requestId(r))).isEmpty();
    }

    @Test
    void noKeyIs401InvalidApiKey() {
        var r = edge.chat(null, CHAT_MODEL);
        error(r, 401, "invalid_api_key", "invalid_request_error");
        noEvent(r);
    }

    @Test
    void malformedKeyIs401WithoutLookup() {
        String good = edge.seed.key(KeySpec.chat());
        String badChecksum = good.substring(0, good.length() - 1) + (good.endsWith("A") ? "B" : "A");
        var r = edge.chat(badChecksum, CHAT_MODEL);
        error(r, 401, "invalid_api_key", "invalid_request_error");
        noEvent(r);
        var garbage = edge.send(edge.request("/v1/chat/completions", null).header("x-api-key", "sk-not-ours")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        error(garbage, 401, "invalid_api_key", "invalid_request_error");
    }

    @Test
    void unknownKeyIs401() {
        String unknown = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, new SecureRandom());
        var r = edge.chat(unknown, CHAT_MODEL);
        error(r, 401, "invalid_api_key", "invalid_request_error");
        noEvent(r);
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).isEmpty();
    }

    @Test
    void xApiKeyHeaderAuthenticates() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.send(edge.request("/v1/chat/completions", null).header("x-api-key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + CHAT_MODEL + "\"}")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        onlyEvent(r, key, 200);
    }

    @Test
    void revokedKeyIs401ApiKeyRevoked() {
        String key = edge.seed.key(KeySpec.chat());
        edge.seed.revoke(key);
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 401, "api_key_revoked", "invalid_request_error");
        UsageEvent e = onlyEvent(r, key, 401);
        assertThat(e.errorMessage()).contains("revoked");
        assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("1000");
    }

    @Test
    void expiredKeyIs401ApiKeyExpired() {
        String key = edge.seed.key(KeySpec.chat().withExpiresAt(edge.time.instant().minusSeconds(1)));
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 401, "api_key_expired", "invalid_request_error");
        onlyEvent(r, key, 401);
    }

    @Test
    void disabledKeyIs401() {
        String key = edge.seed.key(KeySpec.chat());
        edge.seed.deactivate(key);
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 401, "invalid_api_key", "invalid_request_error");
        onlyEvent(r, key, 401);
    }

    @Test
    void clientIpOutsideAllowlistIs403() {
        String key = edge.seed.key(KeySpec.chat().withAllowedIps("10.0.0.0/8"));
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 403, "ip_not_allowed", "permission_error");
        UsageEvent e = onlyEvent(r, key, 403);
        assertThat(e.clientIp()).isEqualTo("127.0.0.1");
    }

    @Test
    void missingScopeIs403InsufficientScope() {
        String key = edge.seed.key(KeySpec.scopes("ai.code"));
        var r = edge.chat(key, CHAT_MODEL);
        JsonNode err = error(r, 403, "insufficient_scope", "permission_error");
        assertThat(err.get("message").asText()).contains("ai.chat");
        UsageEvent e = onlyEvent(r, key, 403);
        assertThat(e.product()).isEqualTo("ai.chat");
        assertThat(e.model()).isEqualTo(CHAT_MODEL);
    }

    @Test
    void tierBelowProductIs403SubscriptionRequired() {
        String key = edge.seed.key(KeySpec.chat().withTier("free"));
        var r = edge.post("/v1/images/generations", key, "{\"model\":\"" + IMAGE_MODEL + "\",\"prompt\":\"cat\"}");
        error(r, 403, "subscription_required", "permission_error");
        onlyEvent(r, key, 403);
        String pro = edge.seed.key(KeySpec.chat().withTier("pro"));
        assertThat(edge.post("/v1/images/generations", pro, "{\"model\":\"" + IMAGE_MODEL + "\",\"prompt\":\"cat\"}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void freeTierOnSubscriptionModelIs403SubscriptionRequired() {
        String key = edge.seed.key(KeySpec.chat().withTier("free"));
        var r = edge.chat(key, PREMIUM_MODEL);
        JsonNode err = error(r, 403, "subscription_required", "permission_error");
        assertThat(err.get("param").asText()).isEqualTo("model");
        onlyEvent(r, key, 403);
        String enterprise = edge.seed.key(KeySpec.chat().withTier("enterprise"));
        assertThat(edge.chat(enterprise, PREMIUM_MODEL).statusCode()).isEqualTo(200);
    }

    @Test
    void developmentKeyOnProductionDeploymentIs403EnvironmentMismatch() {
        String key = edge.seed.key(KeySpec.chat().withEnvironment("development"));
        assertThat(key).startsWith("dsk_test_");
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 403, "environment_mismatch", "permission_error");
        onlyEvent(r, key, 403);
    }

    @Test
    void unknownPathIs404NotFound() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.get("/v1/nothing/here", key);
        error(r, 404, "not_found", "invalid_request_error");
        UsageEvent e = onlyEvent(r, key, 404);
        assertThat(e.product()).isNull();
        assertThat(e.endpoint()).isEqualTo("/v1/nothing/here");
        var anonymous = edge.get("/v1/nothing/here", null);
        error(anonymous, 401, "invalid_api_key", "invalid_request_error");
    }

    @Test
    void wrongMethodIs405() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.get("/v1/chat/completions", key);
        error(r, 405, "method_not_allowed", "invalid_request_error");
        assertThat(r.headers().firstValue("allow")).hasValue("POST");
        onlyEvent(r, key, 405);
    }

    @Test
    void unknownModelIs404ModelNotFound() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.chat(key, "no-such-model");
        JsonNode err = error(r, 404, "model_not_found", "invalid_request_error");
        assertThat(err.get("param").asText()).isEqualTo("model");
        onlyEvent(r, key, 404);
    }

    @Test
    void inactiveModelIs404ModelNotFound() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.chat(key, RETIRED_MODEL);
        error(r, 404, "model_not_found", "invalid_request_error");
        onlyEvent(r, key, 404);
    }

    @Test
    void bodyNotJsonIs400InvalidRequest() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.post("/v1/chat/completions", key, "{\"model\": \"dalsi-chat\", ");
        error(r, 400, "invalid_request", "invalid_request_error");
        onlyEvent(r, key, 400);
        var notObject = edge.post("/v1/chat/completions", key, "[1,2,3]");
        error(notObject, 400, "invalid_request", "invalid_request_error");
        var deep = edge.post("/v1/chat/completions", key, "[".repeat(2000));
        error(deep, 400, "invalid_request", "invalid_request_error");
    }

    @Test
    void missingModelIs400InvalidRequestNamingModel() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.post("/v1/chat/completions", key, "{\"messages\":[]}");
        JsonNode err = error(r, 400, "invalid_request", "invalid_request_error");
        assertThat(err.get("param").asText()).isEqualTo("model");
        onlyEvent(r, key, 400);
    }

    @Test
    void maxTokensOverProductLimitIs400NamingMaxTokens() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.post("/v1/chat/completions", key, "{\"model\":\"" + CHAT_MODEL + "\",\"max_tokens\":4096}");
        JsonNode err = error(r, 400, "invalid_request", "invalid_request_error");
        assertThat(err.get("param").asText()).isEqualTo("max_tokens");
        assertThat(err.get("message").asText()).contains("2048");
        onlyEvent(r, key, 400);
        assertThat(edge.post("/v1/chat/completions", key, "{\"model\":\"" + CHAT_MODEL + "\",\"max_tokens\":2048}")
                .statusCode()).isEqualTo(200);
    }

    @Test
    void bodyOverLimitIs413RequestTooLarge() {
        String key = edge.seed.key(KeySpec.chat());
        String big = "{\"model\":\"" + CHAT_MODEL + "\",\"prompt\":\"" + "x".repeat(10_000) + "\"}";
        var r = edge.post("/v1/chat/completions", key, big);
        error(r, 413, "request_too_large", "invalid_request_error");
        UsageEvent e = onlyEvent(r, key, 413);
        assertThat(e.requestSizeBytes()).isEqualTo(big.length());
    }

    @Test
    void overTheLimitIs429NamingTheWindow() {
        String key = edge.seed.key(KeySpec.chat().withLimits(1, 100, 1000));
        assertThat(edge.chat(key, CHAT_MODEL).statusCode()).isEqualTo(200);
        var r = edge.chat(key, CHAT_MODEL);
        JsonNode err = error(r, 429, "rate_limit_exceeded", "rate_limit_error");
        assertThat(err.get("message").asText()).contains("per minute");
        assertThat(r.headers().firstValue("retry-after")).hasValue("60");
        UsageEvent e = onlyEvent(r, key, 429);
        assertThat(e.rateLimitRemaining()).isZero();
    }

    @Test
    void backendRefusedIs502UpstreamError() {
        String key = edge.seed.key(KeySpec.chat());
        proxy.failWith(ErrorCode.UPSTREAM_ERROR);
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 502, "upstream_error", "api_error");
        UsageEvent e = onlyEvent(r, key, 502);
        assertThat(e.costUsd()).isZero();
    }

    @Test
    void backendTooSlowIs504UpstreamTimeout() {
        String key = edge.seed.key(KeySpec.chat());
        proxy.failWith(ErrorCode.UPSTREAM_TIMEOUT);
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 504, "upstream_timeout", "api_error");
        onlyEvent(r, key, 504);
    }

    @Test
    void sinkNotAcceptingIs503ServiceUnavailable() {
        String key = edge.seed.key(KeySpec.chat());
        edge.sink.accepting(false);
        int before = proxy.forwarded().size();
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 503, "service_unavailable", "api_error");
        onlyEvent(r, key, 503);
        assertThat(proxy.forwarded()).hasSize(before);
    }

    @Test
    void sinkRefusingTheEventTurnsTheAnswerInto503() {
        String key = edge.seed.key(KeySpec.chat());
        edge.sink.failing(true);
        var r = edge.get("/v1/nothing", key);
        error(r, 503, "service_unavailable", "api_error");
    }

    @Test
    void successIsMeteredWithCost() {
        String key = edge.seed.key(KeySpec.chat());
        var r = edge.send(edge.request("/v1/chat/completions", key).header("User-Agent", "edge-test/1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + CHAT_MODEL + "\"}")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).isNotEqualTo("backend-id-must-be-replaced");
        UsageEvent e = onlyEvent(r, key, 200);
        // 10 prompt tokens at $0.001/1k + 20 completion tokens at $0.002/1k
        assertThat(e.costUsd()).isEqualByComparingTo("0.00005");
        assertThat(e.usage().totalTokens()).isEqualTo(30);
        assertThat(e.userAgent()).isEqualTo("edge-test/1");
        assertThat(e.product()).isEqualTo("ai.chat");
        assertThat(e.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.subscriptionTier()).isEqualTo("free");
        assertThat(e.backendLatencyMs()).isEqualTo(3);
        assertThat(e.rateLimitRemaining()).isEqualTo(999);
        assertThat(e.clientIp()).isEqualTo("127.0.0.1");
        assertThat(proxy.last().headers().contains("authorization")).isFalse();
        assertThat(proxy.last().requestId()).isEqualTo(requestId(r));
    }

    @Test
    void anUnexpectedHttpRequestLineIs400AndNoHang() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.getOutputStream().write("GARBAGE\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400").contains("x-request-id").contains("invalid_request");
        }
    }

    @Test
    void aTooLargeBodyAnnouncedWithExpectContinueIs413BeforeItIsSent() throws Exception {
        String key = edge.seed.key(KeySpec.chat());
        try (var socket = new java.net.Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 413").contains("request_too_large").doesNotContain("100 Continue");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("x-request-id: (\\S+)").matcher(response);
            assertThat(m.find()).isTrue();
            assertThat(edge.sink.only(m.group(1)).statusCode()).isEqualTo(413);
        }
    }

    @Test
    void aBodyNotInFullWithinItsDeadlineIs408RequestTimeout() throws Exception {
        String key = edge.seed.key(KeySpec.chat());
        try (var socket = new java.net.Socket("127.0.0.1", edge.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Length: 100\r\n\r\n{\"model\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"")
                    .contains("\"type\":\"invalid_request_error\"").containsIgnoringCase("connection: close");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("x-request-id: (\\S+)").matcher(response);
            assertThat(m.find()).isTrue();
            assertThat(edge.sink.only(m.group(1)).statusCode()).isEqualTo(408);
        }
    }
}
