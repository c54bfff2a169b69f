package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.repo.UsageRow;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class UsageRowsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static UsageEvent.Builder event() {
        return UsageEvent.builder(UuidV7.at(Instant.parse("2026-11-24T10:00:00Z")), UUID.randomUUID(), UUID.randomUUID())
                .endpoint("/v1/chat/completions").statusCode(200);
    }

    @Test
    void metadataHasEveryMemberAndEscapesWhatTheClientSent() throws Exception {
        UsageEvent e = event().model("evil\"},\"x\":{\"\u0000").product("ai.chat").stream(true)
                .usage(TokenUsage.estimate(10, 20, 1)).backendLatencyMs(5).clientAborted(false).build();
        JsonNode m = JSON.readTree(UsageRows.row(e).requestMetadataJson());
        assertThat(m.get("request_id").asText()).isEqualTo(e.requestId().toString());
        assertThat(m.get("model").asText()).isEqualTo("evil\"},\"x\":{\"\uFFFD");
        assertThat(m.get("product").asText()).isEqualTo("ai.chat");
        assertThat(m.get("stream").asBoolean()).isTrue();
        assertThat(m.get("backend_latency_ms").asInt()).isEqualTo(5);
        assertThat(m.get("prompt_tokens").asInt()).isEqualTo(3);
        assertThat(m.get("completion_tokens").asInt()).isEqualTo(5);
        assertThat(m.get("images").asInt()).isEqualTo(1);
        assertThat(m.get("usage_estimated").asBoolean()).isTrue();
        assertThat(m.get("client_aborted").asBoolean()).isFalse();
        assertThat(m.has("x")).isFalse();
        assertThat(m.has("backend")).as("no backend called").isFalse();
        assertThat(m.has("cached_tokens")).isFalse();
    }

    @Test
    void metadataSaysWhichBackendAnsweredAfterHowManyAttemptsAndTheUsageDetails() throws Exception {
        UsageEvent e = event().usage(TokenUsage.reported(120, 40, 0, 100, 30))
                .backend("https://llm.internal:8443").attempts(2).build();
        JsonNode m = JSON.readTree(UsageRows.row(e).requestMetadataJson());
        assertThat(m.get("backend").asText()).isEqualTo("https://llm.internal:8443");
        assertThat(m.get("attempts").asInt()).isEqualTo(2);
        assertThat(m.get("cached_tokens").asInt()).isEqualTo(100);
        assertThat(m.get("reasoning_tokens").asInt()).isEqualTo(30);
        assertThat(m.get("prompt_tokens").asInt()).isEqualTo(120);
    }

    @Test
    void absentValuesAreJsonNullAndUsageEstimatedIsAlwaysThere() throws Exception {
        JsonNode m = JSON.readTree(UsageRows.row(event().build()).requestMetadataJson());
        assertThat(m.get("model").isNull()).isTrue();
        assertThat(m.get("backend_latency_ms").isNull()).isTrue();
        assertThat(m.get("usage_estimated").asBoolean(true)).isFalse();
        assertThat(UsageRows.rollupModel(event().build())).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({"203.0.113.9, 203.0.113.9", "2001:db8::1, 2001:db8::1", "fe80::1%eth0, fe80::1"})
    void ipLiteralsGoToTheInetColumn(String given, String stored) {
        assertThat(UsageRows.row(event().clientIp(given).build()).ipAddress()).isEqualTo(stored);
    }

    @Test
    void somethingThatIsNotAnIpGoesToTheMetadataInstead() throws Exception {
        UsageRow r = UsageRows.row(event().clientIp("unknown, 10.0.0.1").build());
        assertThat(r.ipAddress()).isNull();
        assertThat(JSON.readTree(r.requestMetadataJson()).get("client_ip_raw").asText()).isEqualTo("unknown, 10.0.0.1");
    }

    @Test
    void rowsCarryTheInstantOfTheIdAndClampSizes() {
        UsageRow r = UsageRows.row(event().requestSizeBytes(10_000_000_000L).userAgent("a\u0000b").build());
        assertThat(r.createdAt()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(r.requestSizeBytes()).isEqualTo(Integer.MAX_VALUE);
        assertThat(r.userAgent()).isEqualTo("a\uFFFDb");
    }

    @ParameterizedTest
    @CsvSource({"0, free, status_code 0", "600, free, status_code 600", "200, gold, subscription_tier gold"})
    void eventsThatCanNeverBeStoredAreNamed(int status, String tier, String reason) {
        assertThat(UsageRows.unstorable(event().statusCode(status).subscriptionTier(tier).build())).startsWith(reason);
        assertThat(UsageRows.unstorable(event().costUsd(new BigDecimal("10000000000000")).build()))
                .startsWith("cost_usd");
        assertThat(UsageRows.unstorable(event().subscriptionTier("pro").build())).isNull();
    }

    @Test
    void endpointsAndModelsAreCutToWhatTheRollupsIndexHolds() throws Exception {
        String longPath = "/v1/x" + "\uD83D\uDE00".repeat(200);
        UsageEvent e = event().endpoint(longPath).model("m".repeat(300) + "\u0000").build();
        UsageRow row = UsageRows.row(e);
        assertThat(row.endpoint()).hasSize(255).as("a surrogate pair is never split").isEqualTo(longPath.substring(0, 255));
        assertThat(UsageRows.rollupModel(e)).isEqualTo("m".repeat(256));
        assertThat(JSON.readTree(row.requestMetadataJson()).get("model").asText()).isEqualTo("m".repeat(256));
        UsageEvent shortOne = event().endpoint("/v1/chat/completions").model("dalsi-ai").build();
        assertThat(UsageRows.row(shortOne).endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(UsageRows.rollupModel(shortOne)).isEqualTo("dalsi-ai");
    }
}
