package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.EdgeSeed.CODE_MODEL;
import static ai.dalsi.persistence.schema.Tables.API_USAGE_LOGS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.serve.GatewayNode;
import ai.dalsi.gateway.simulator.RecordedRequest;
import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.NodeEnvironment;
import ai.dalsi.gateway.testing.NodeSdk;
import ai.dalsi.persistence.schema.tables.records.ApiUsageLogsRecord;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The official OpenAI Java and Node SDKs, unmodified, against a real node (real ledger, real
 * PostgreSQL) in front of the simulated backend: {@code /v1/embeddings} (billed by input tokens),
 * {@code /v1/responses} plain and streamed (usage from the terminal event), each with its usage
 * row and cost; a responses stream the client abandons is billed as a chat stream is; and a client
 * header outside the allowlist never reaches the backend.
 *
 * <p>Prices (the standard catalog): {@value EdgeSeed#CODE_MODEL} prices nothing itself, so an
 * embedding costs the ai.embed product's $0.0001 per 1k input tokens; {@value EdgeSeed#CHAT_MODEL}
 * costs $0.001 per 1k input and $0.002 per 1k output tokens.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdkEndpointsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db;
    private final Path journal;
    private final SimulatedBackend backend;
    private final GatewayNode node;
    private final EdgeSeed seed;
    private final String key;
    private final OpenAIClient sdk;

    SdkEndpointsIT(TestDatabase db) throws Exception {
        this.db = db;
        this.journal = Files.createTempDirectory("sdk-endpoints");
        this.seed = new EdgeSeed(db.dsl()).standardCatalog().withEmbeddingsAndResponses();
        this.key = seed.key(KeySpec.scopes("ai.chat", "ai.embed"));
        this.backend = SimulatedBackend.start(SimulatorConfig.builder().host("127.0.0.1").port(0).latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(7).build());
        this.node = GatewayNode.start(NodeEnvironment.of(db, backend.baseUrl(), journal)
                // As the demo: the simulator's x-sim-* headers may shape its answers.
                .with("GATEWAY_PROXY_FORWARD_HEADERS", "content-type,accept,user-agent,openai-beta,traceparent,x-sim-*")
                .config());
        this.sdk = OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey(key).maxRetries(0).build();
    }

    @AfterAll
    void stop() throws Exception {
        sdk.close();
        node.close();
        backend.close();
        try (var files = Files.walk(journal)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + node.edgePort() + "/v1";
    }

    /** The request's usage row, once the ledger wrote it. */
    private ApiUsageLogsRecord row(String requestId) {
        UUID id = UUID.fromString(requestId);
        Eventually.await("usage row of " + requestId, Duration.ofSeconds(15),
                () -> db.dsl().fetchExists(API_USAGE_LOGS, API_USAGE_LOGS.ID.eq(id)));
        return db.dsl().selectFrom(API_USAGE_LOGS).where(API_USAGE_LOGS.ID.eq(id)).fetchOne();
    }

    private static JsonNode metadata(ApiUsageLogsRecord r) throws Exception {
        return JSON.readTree(r.getRequestMetadata().data());
    }

    private static BigDecimal per1k(String price, long tokens) {
        return new BigDecimal(price).multiply(BigDecimal.valueOf(tokens)).divide(BigDecimal.valueOf(1000));
    }

    private static BigDecimal cost(BigDecimal exact) {
        return exact.setScale(8, RoundingMode.HALF_UP);
    }

    private void assertEmbeddingRow(String requestId, long promptTokens) throws Exception {
        ApiUsageLogsRecord r = row(requestId);
        JsonNode m = metadata(r);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(r.getEndpoint()).isEqualTo("/v1/embeddings");
        assertThat(m.get("product").asText()).isEqualTo("ai.embed");
        assertThat(m.get("prompt_tokens").asLong()).isEqualTo(promptTokens);
        assertThat(m.get("completion_tokens").asLong()).as("an embedding's answer is not billed").isZero();
        assertThat(m.get("images").asInt()).as("vectors are not images").isZero();
        assertThat(m.get("usage_estimated").asBoolean()).isFalse();
        assertThat(r.getTokensUsed()).isEqualTo((int) promptTokens);
        assertThat(r.getCostUsd()).isEqualByComparingTo(cost(per1k("0.0001", promptTokens)));
        assertThat(m.get("backend").asText()).isEqualTo(backend.baseUrl().toString());
        assertThat(m.get("attempts").asInt()).isEqualTo(1);
    }

    private void assertResponsesRow(String requestId, long in, long out, boolean stream) throws Exception {
        ApiUsageLogsRecord r = row(requestId);
        JsonNode m = metadata(r);
        assertThat(r.getStatusCode()).isEqualTo(200);
        assertThat(r.getEndpoint()).isEqualTo("/v1/responses");
        assertThat(m.get("product").asText()).isEqualTo("ai.responses");
        assertThat(m.get("stream").asBoolean()).isEqualTo(stream);
        assertThat(m.get("prompt_tokens").asLong()).isEqualTo(in);
        assertThat(m.get("completion_tokens").asLong()).isEqualTo(out);
        assertThat(m.get("usage_estimated").asBoolean()).isFalse();
        assertThat(r.getCostUsd()).isEqualByComparingTo(cost(per1k("0.001", in).add(per1k("0.002", out))));
    }

    // ---- the Java SDK

    @Test
    void javaEmbeddingsAreBilledByTheirInputTokens() throws Exception {
        HttpResponseFor<CreateEmbeddingResponse> raw = sdk.withRawResponse().embeddings().create(
                EmbeddingCreateParams.builder().model(CODE_MODEL)
                        .inputOfArrayOfStrings(List.of("Hello from the Java SDK", "and a second input")).build());
        CreateEmbeddingResponse e = raw.parse();
        assertThat(e.data()).hasSize(2);
        assertThat(e.data().get(0).embedding()).hasSize(1536);
        assertThat(e.usage().promptTokens()).isPositive();
        assertEmbeddingRow(raw.headers().values("x-request-id").get(0), e.usage().promptTokens());
    }

    @Test
    void javaResponsesArePricedFromTheirInputAndOutputTokens() throws Exception {
        HttpResponseFor<Response> raw = sdk.withRawResponse().responses().create(
                ResponseCreateParams.builder().model(CHAT_MODEL).input("Say hello from the Java SDK.").build());
        Response response = raw.parse();
        assertThat(response.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text())
                .isNotBlank();
        long in = response.usage().orElseThrow().inputTokens();
        long out = response.usage().orElseThrow().outputTokens();
        assertThat(out).isEqualTo(7);
        assertResponsesRow(raw.headers().values("x-request-id").get(0), in, out, false);
    }

    @Test
    void javaStreamedResponsesAreBilledFromTheTerminalEvent() throws Exception {
        HttpResponseFor<StreamResponse<ResponseStreamEvent>> raw = sdk.withRawResponse().responses().createStreaming(
                ResponseCreateParams.builder().model(CHAT_MODEL).input("Stream a hello from the Java SDK.").build());
        StringBuilder text = new StringBuilder();
        long in = -1;
        long out = -1;
        try (StreamResponse<ResponseStreamEvent> stream = raw.parse()) {
            for (Iterator<ResponseStreamEvent> it = stream.stream().iterator(); it.hasNext(); ) {
                ResponseStreamEvent event = it.next();
                event.outputTextDelta().ifPresent(d -> text.append(d.delta()));
                if (event.completed().isPresent()) {
                    in = event.completed().get().response().usage().orElseThrow().inputTokens();
                    out = event.completed().get().response().usage().orElseThrow().outputTokens();
                }
            }
        }
        assertThat(text.toString()).isNotBlank();
        assertThat(out).isEqualTo(7);
        assertResponsesRow(raw.headers().values("x-request-id").get(0), in, out, true);
    }

    @Test
    void aResponsesStreamTheClientAbandonsIsBilledAsAChatStreamIs() throws Exception {
        // Slow streams (2 tokens a second, 200 of them: they cannot end on their own while the test
        // runs, however loaded the machine), abandoned after the first token, one of each kind.
        HttpResponseFor<StreamResponse<ChatCompletionChunk>> chatRaw = sdk.withRawResponse().chat().completions()
                .createStreaming(ChatCompletionCreateParams.builder().model(CHAT_MODEL).addUserMessage("Count slowly.")
                        .putAdditionalHeader("x-sim-tokens-per-second", "2")
                        .putAdditionalHeader("x-sim-completion-tokens", "200").build());
        try (StreamResponse<ChatCompletionChunk> chat = chatRaw.parse()) {
            assertThat(chat.stream().iterator().next()).isNotNull();
        }
        HttpResponseFor<StreamResponse<ResponseStreamEvent>> raw = sdk.withRawResponse().responses().createStreaming(
                ResponseCreateParams.builder().model(CHAT_MODEL).input("Count slowly.")
                        .putAdditionalHeader("x-sim-tokens-per-second", "2")
                        .putAdditionalHeader("x-sim-completion-tokens", "200").build());
        try (StreamResponse<ResponseStreamEvent> stream = raw.parse()) {
            Iterator<ResponseStreamEvent> it = stream.stream().iterator();
            while (it.hasNext() && it.next().outputTextDelta().isEmpty()) {
                // read up to the first token
            }
        }
        ApiUsageLogsRecord chatRow = row(chatRaw.headers().values("x-request-id").get(0));
        ApiUsageLogsRecord responsesRow = row(raw.headers().values("x-request-id").get(0));
        JsonNode chatMeta = metadata(chatRow);
        JsonNode responsesMeta = metadata(responsesRow);
        assertThat(responsesRow.getStatusCode()).isEqualTo(499).isEqualTo(chatRow.getStatusCode());
        assertThat(responsesMeta.get("client_aborted").asBoolean()).isTrue()
                .isEqualTo(chatMeta.get("client_aborted").asBoolean());
        // Both are billed for what the backend produced before it was cancelled: their prompt and the
        // tokens generated so far, counted with the tokenizer (the prompts differ, so the sums do too).
        assertThat(responsesRow.getCostUsd()).isPositive();
        assertThat(chatRow.getCostUsd()).isPositive();
        assertThat(responsesMeta.get("completion_tokens").asLong()).isPositive();
        assertThat(chatMeta.get("completion_tokens").asLong()).isPositive();
        assertThat(responsesMeta.get("usage_estimated").asBoolean()).isTrue()
                .isEqualTo(chatMeta.get("usage_estimated").asBoolean());
        assertThat(responsesRow.getErrorMessage()).isEqualTo(chatRow.getErrorMessage()).isNotNull();
        assertThat(responsesMeta.get("backend").asText()).isEqualTo(backend.baseUrl().toString());
    }

    // ---- the Node SDK

    private JsonNode node(String call, String model) {
        NodeSdk.Result r = NodeSdk.run("sdk-calls.mjs", List.of(call, model),
                Map.of("OPENAI_BASE_URL", baseUrl(), "OPENAI_API_KEY", key), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.json();
    }

    @Test
    void nodeEmbeddingsAreBilledByTheirInputTokens() throws Exception {
        JsonNode r = node("embeddings", CODE_MODEL);
        assertThat(r.get("count").asInt()).isEqualTo(2);
        assertThat(r.get("dimensions").asInt()).isEqualTo(1536);
        assertThat(r.get("finite").asBoolean()).isTrue();
        assertEmbeddingRow(r.get("requestId").asText(), r.at("/usage/prompt_tokens").asLong());
    }

    @Test
    void nodeResponsesArePricedFromTheirInputAndOutputTokens() throws Exception {
        JsonNode r = node("responses", CHAT_MODEL);
        assertThat(r.get("status").asText()).isEqualTo("completed");
        assertThat(r.get("text").asText()).isNotBlank();
        assertThat(r.at("/usage/output_tokens").asLong()).isEqualTo(7);
        assertResponsesRow(r.get("requestId").asText(), r.at("/usage/input_tokens").asLong(),
                r.at("/usage/output_tokens").asLong(), false);
    }

    @Test
    void nodeStreamedResponsesAreBilledFromTheTerminalEvent() throws Exception {
        JsonNode r = node("responses-stream", CHAT_MODEL);
        List<String> types = JSON.convertValue(r.get("types"), JSON.getTypeFactory().constructCollectionType(List.class,
                String.class));
        assertThat(types).startsWith("response.created").endsWith("response.completed").contains("response.output_text.delta");
        assertThat(r.get("text").asText()).isNotBlank();
        assertResponsesRow(r.get("requestId").asText(), r.at("/usage/input_tokens").asLong(),
                r.at("/usage/output_tokens").asLong(), true);
    }

    // ---- headers

    @Test
    void aClientHeaderOutsideTheAllowlistDoesNotReachTheBackend() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/chat/completions"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .header("OpenAI-Beta", "assistants=v2")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("x-internal-secret", "do-not-forward")
                .header("Cookie", "session=abc")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + CHAT_MODEL
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        RecordedRequest seen = backend.stats().lastRequest().orElseThrow();
        assertThat(seen.header("x-request-id")).isEqualTo(response.headers().firstValue("x-request-id").orElseThrow());
        assertThat(seen.header("openai-beta")).isEqualTo("assistants=v2");
        assertThat(seen.header("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(seen.header("x-internal-secret")).isNull();
        assertThat(seen.header("cookie")).isNull();
        assertThat(seen.header("authorization")).isNull();
    }
}
