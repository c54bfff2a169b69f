package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's request handling on an {@link EmbeddedChannel} with frozen, hand-moved time. */
class SimulatorHandlerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);
    private static final String CHAT = "{\"model\":\"dalsi-ai\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";
    private static final String STREAM_WITH_USAGE = "{\"model\":\"dalsi-ai\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}]}";

    private final SimulatorStats stats = new SimulatorStats();
    private EmbeddedChannel channel;

    private EmbeddedChannel start(SimulatorConfig.Builder config) {
        return start(config, null);
    }

    private EmbeddedChannel start(SimulatorConfig.Builder builder, FlushGate gate) {
        SimulatorConfig config = builder.build();
        channel = new EmbeddedChannel();
        channel.freezeTime();
        if (gate != null) {
            channel.pipeline().addLast(gate);
        }
        channel.pipeline().addLast(new SimulatorHandler(new ReplyPlanner(config, stats),
                new Bodies(config.models(), CLOCK.millis() / 1000, 7), stats, CLOCK));
        return channel;
    }

    @AfterEach
    void finish() {
        if (channel != null) {
            assertFalse(channel.finishAndReleaseAll());
        }
    }

    @Test
    void answerWaitsForTheLatencyOnTheTimer() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ofMillis(100)).completionTokens(3));
        channel.writeInbound(post("/v1/chat/completions", CHAT));

        advance(99);
        assertThat(channel.<Object>readOutbound()).isNull();
        advance(1);

        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get("content-type")).isEqualTo("application/json");
            assertThat(response.headers().getInt("content-length")).isEqualTo(response.content().readableBytes());
            JsonNode body = JSON.readTree(response.content().toString(UTF_8));
            assertThat(body.path("object").asText()).isEqualTo("chat.completion");
            assertThat(body.path("id").asText()).startsWith("chatcmpl-sim");
            assertThat(body.path("created").asLong()).isEqualTo(CLOCK.millis() / 1000);
            assertThat(body.path("model").asText()).isEqualTo("dalsi-ai");
            assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
            assertThat(body.at("/choices/0/message/content").asText()).isEqualTo("This is a");
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
            // 3 for the message + "user" (1) + "Hello there" (2) + 3 for the reply, in cl100k_base
            assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(9);
            assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(3);
            assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(12);
        } finally {
            response.release();
        }
        assertThat(stats.requests("/v1/chat/completions")).isEqualTo(1);
    }

    @Test
    void embeddingsAnswerOneVectorPerInputWithTheirInputTokens() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO));
        channel.writeInbound(post("/v1/embeddings",
                "{\"model\":\"emb\",\"input\":[\"Hello there\",\"and again\"],\"dimensions\":8}"));
        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.path("data")).hasSize(2);
        assertThat(body.at("/data/1/index").asInt()).isEqualTo(1);
        assertThat(body.at("/data/0/embedding")).hasSize(8).allSatisfy(v -> assertThat(Math.abs(v.asDouble())).isLessThan(0.1));
        // counted with the model's tokenizer (cl100k_base): "Hello there" and "and again" are two
        // tokens each; an embedding's usage has no completion tokens
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(4);
        assertThat(body.at("/usage").has("completion_tokens")).isFalse();

        channel.writeInbound(post("/v1/embeddings",
                "{\"model\":\"emb\",\"input\":[1,2,3],\"encoding_format\":\"base64\",\"dimensions\":4}"));
        JsonNode b64 = readJson(HttpResponseStatus.OK);
        byte[] raw = java.util.Base64.getDecoder().decode(b64.at("/data/0/embedding").asText());
        assertThat(raw).hasSize(16);
        assertThat(b64.at("/usage/prompt_tokens").asInt()).as("three token ids").isEqualTo(3);

        channel.writeInbound(post("/v1/embeddings", "{\"model\":\"emb\"}"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("input");
    }

    @Test
    void responsesAnswerAResponseObjectWithInputAndOutputTokens() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).completionTokens(3));
        channel.writeInbound(post("/v1/responses", "{\"model\":\"dalsi-ai\",\"input\":\"Hello there\"}"));
        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.path("object").asText()).isEqualTo("response");
        assertThat(body.path("status").asText()).isEqualTo("completed");
        assertThat(body.at("/output/0/content/0/text").asText()).isEqualTo("This is a");
        // a string input is text, counted with the tokenizer as the gateway's estimate counts it:
        // "Hello there" is two tokens in cl100k_base
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(3);
        assertThat(body.at("/usage/input_tokens_details/cached_tokens").asInt()).isZero();
        assertThat(body.at("/usage/output_tokens_details/reasoning_tokens").asInt()).isZero();

        channel.writeInbound(post("/v1/responses",
                "{\"model\":\"dalsi-ai\",\"input\":\"Hello there\",\"max_output_tokens\":2}"));
        JsonNode cut = readJson(HttpResponseStatus.OK);
        assertThat(cut.path("status").asText()).isEqualTo("incomplete");
        assertThat(cut.at("/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
        assertThat(cut.at("/usage/output_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void aResponsesStreamIsTypedEventsEndingWithTheCompletedResponseAndNoDone() throws Exception {
        start(SimulatorConfig.builder().timeToFirstToken(Duration.ZERO).tokensPerSecond(0).completionTokens(2));
        channel.writeInbound(post("/v1/responses", "{\"model\":\"dalsi-ai\",\"input\":\"Hello there\",\"stream\":true}"));
        HttpResponse head = channel.readOutbound();
        assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
        List<String> events = readEvents();
        assertThat(lastContentSeen).isTrue();
        List<String> types = events.stream().map(e -> e.substring("event: ".length(), e.indexOf('\n'))).toList();
        assertThat(types).containsExactly("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed");
        assertThat(events).noneMatch(e -> e.contains("[DONE]"));
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = JSON.readTree(events.get(i).substring(events.get(i).indexOf("data: ") + 6));
            assertThat(e.path("type").asText()).isEqualTo(types.get(i));
            assertThat(e.path("sequence_number").asInt()).isEqualTo(i);
        }
        JsonNode created = JSON.readTree(events.get(0).substring(events.get(0).indexOf("data: ") + 6));
        assertThat(created.at("/response/usage").isNull()).isTrue();
        JsonNode completed = JSON.readTree(events.get(9).substring(events.get(9).indexOf("data: ") + 6));
        assertThat(completed.at("/response/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(completed.at("/response/output/0/content/0/text").asText()).isEqualTo("This is");
    }

    @Test
    void streamIsPacedByTheTokenRate() throws Exception {
        // 10 tokens/s: one token every 100 ms after the first
        start(SimulatorConfig.builder().timeToFirstToken(Duration.ofMillis(50)).tokensPerSecond(10).completionTokens(3));
        channel.writeInbound(post("/v1/chat/completions", STREAM_WITH_USAGE));

        advance(49);
        assertThat(channel.<Object>readOutbound()).isNull();
        advance(1);
        HttpResponse head = channel.readOutbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(head.headers().get("content-type")).startsWith("text/event-stream");
        List<String> events = readEvents();
        assertThat(events).hasSize(2); // the role chunk and the first token
        JsonNode role = JSON.readTree(data(events.get(0)));
        assertThat(role.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(role.has("usage") && role.get("usage").isNull()).isTrue();
        assertThat(JSON.readTree(data(events.get(1))).at("/choices/0/delta/content").asText()).isEqualTo("This");

        advance(99);
        assertThat(readEvents()).isEmpty();
        advance(1);
        assertThat(readEvents()).singleElement()
                .satisfies(e -> assertThat(JSON.readTree(data(e)).at("/choices/0/delta/content").asText()).isEqualTo(" is"));
        assertThat(stats.streamsCompleted()).isZero();

        advance(100);
        List<String> end = readEvents();
        assertThat(end).hasSize(4); // the last token, the finish, the usage, [DONE]
        assertThat(JSON.readTree(data(end.get(0))).at("/choices/0/delta/content").asText()).isEqualTo(" a");
        assertThat(JSON.readTree(data(end.get(1))).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = JSON.readTree(data(end.get(2)));
        assertThat(usage.path("choices").isEmpty()).isTrue();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(end.get(3)).isEqualTo("data: [DONE]");
        assertThat(lastContentSeen).isTrue();
        assertThat(stats.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void streamStopsProducingWhileTheChannelIsNotWritable() {
        FlushGate gate = new FlushGate();
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(0).completionTokens(1000), gate);
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 4096));
        channel.writeInbound(post("/v1/chat/completions", STREAM_WITH_USAGE.replace("dalsi-ai", "m")));

        // Nothing reaches the wire while the gate holds the flushes: the stream must stop at the high water mark.
        // Without backpressure all 1000 chunks (about 150 KB) would be queued.
        long pending = channel.unsafe().outboundBuffer().totalPendingWriteBytes();
        assertThat(pending).isBetween(4096L, 8192L);
        assertThat(channel.isWritable()).isFalse();

        gate.open(channel);
        channel.flush();
        channel.runPendingTasks();
        List<String> events = new ArrayList<>();
        HttpResponse head = channel.readOutbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        events.addAll(readEvents());
        assertThat(events).hasSize(1 + 1000 + 3);
        assertThat(events.getLast()).isEqualTo("data: [DONE]");
        assertThat(stats.streamsCompleted()).isEqualTo(1);
    }

    @Test
    void clientGoingAwayCancelsTheStream() {
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(10).completionTokens(50));
        channel.writeInbound(post("/v1/chat/completions", STREAM_WITH_USAGE));
        HttpResponse head = channel.readOutbound();
        assertThat(head).isNotNull();
        assertThat(readEvents()).hasSize(2);

        channel.close();
        advance(1000);

        assertThat(stats.streamsCancelled()).isEqualTo(1);
        assertThat(stats.streamsCompleted()).isZero();
        assertThat(readEvents()).isEmpty();
    }

    @Test
    void abortHeaderClosesTheConnectionMidStream() {
        start(SimulatorConfig.builder().latency(Duration.ZERO).tokensPerSecond(0).completionTokens(10));
        channel.writeInbound(post("/v1/chat/completions", STREAM_WITH_USAGE, "x-sim-abort-after-tokens", "4"));

        HttpResponse head = channel.readOutbound();
        assertThat(head.status()).isEqualTo(HttpResponseStatus.OK);
        List<String> events = readEvents();
        assertThat(events).hasSize(1 + 4);
        assertThat(lastContentSeen).isFalse();
        assertThat(channel.isOpen()).isFalse();
        assertThat(stats.streamsCancelled()).isZero();
    }

    @Test
    void abortHeaderWithoutStreamClosesAfterTheDelayWithoutAnAnswer() {
        start(SimulatorConfig.builder().latency(Duration.ofMillis(40)));
        channel.writeInbound(post("/v1/chat/completions", CHAT, "x-sim-abort-after-tokens", "0"));
        advance(39);
        assertThat(channel.isOpen()).isTrue();
        advance(1);

        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).completionTokens(2));
        channel.writeInbound(
                post("/v1/chat/completions", CHAT.replace("dalsi-ai", "first"), "x-sim-latency-ms", "100"),
                post("/v1/chat/completions", CHAT.replace("dalsi-ai", "second")));

        assertThat(channel.<Object>readOutbound()).isNull();
        advance(100);

        assertThat(readJson(HttpResponseStatus.OK).path("model").asText()).isEqualTo("first");
        assertThat(readJson(HttpResponseStatus.OK).path("model").asText()).isEqualTo("second");
    }

    @Test
    void completionTokensCappedByMaxTokensEndWithLength() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO).completionTokens(50));
        channel.writeInbound(post("/v1/completions", "{\"model\":\"dalsi-ai\",\"prompt\":\"abcdefghi\",\"max_tokens\":2}"));

        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.path("object").asText()).isEqualTo("text_completion");
        assertThat(body.path("id").asText()).startsWith("cmpl-");
        assertThat(body.at("/choices/0/text").asText()).isEqualTo("This is");
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(body.at("/usage/prompt_tokens").asInt()).as("abc, defghi").isEqualTo(2);
        assertThat(body.at("/usage/completion_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void omitUsageLeavesTheUsageObjectOut() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO));
        channel.writeInbound(post("/v1/chat/completions", CHAT, "x-sim-omit-usage", "true"));

        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.has("usage")).isFalse();
        assertThat(body.at("/choices/0/message/content").asText()).isNotEmpty();
    }

    @Test
    void imagesCarryUrlsAndUsage() throws Exception {
        start(SimulatorConfig.builder().imageLatency(Duration.ofMillis(30)));
        channel.writeInbound(post("/v1/images/generations", "{\"prompt\":\"a red fox\",\"n\":3,\"quality\":\"low\"}"));
        advance(30);

        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.path("created").asLong()).isEqualTo(CLOCK.millis() / 1000);
        assertThat(body.path("data")).hasSize(3);
        assertThat(body.at("/data/0/url").asText()).startsWith("http://localhost/images/sim").endsWith("-0.png");
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(3); // a, red, fox
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(3 * 272);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(3 + 3 * 272);
    }

    @Test
    void modelsAreListedInOpenAisShape() throws Exception {
        start(SimulatorConfig.builder().models(List.of("a-model", "b-\"quoted\"")));
        channel.writeInbound(get("/v1/models"));

        JsonNode body = readJson(HttpResponseStatus.OK);
        assertThat(body.path("object").asText()).isEqualTo("list");
        assertThat(body.at("/data/0/id").asText()).isEqualTo("a-model");
        assertThat(body.at("/data/1/id").asText()).isEqualTo("b-\"quoted\"");
        assertThat(body.at("/data/0/object").asText()).isEqualTo("model");
        assertThat(body.at("/data/0/created").asLong()).isEqualTo(CLOCK.millis() / 1000);
        assertThat(body.at("/data/0/owned_by").asText()).isEqualTo("dalsi");
    }

    @Test
    void unknownModelIdIsNotFound() throws Exception {
        start(SimulatorConfig.builder());
        channel.writeInbound(get("/v1/models/gpt-9"));

        assertThat(readJson(HttpResponseStatus.NOT_FOUND).at("/error/code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void badJsonIsABadRequest() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ofSeconds(5)));
        channel.writeInbound(post("/v1/chat/completions", "{\"model\": \"dalsi-ai\", \"messages\": ["));

        JsonNode error = readJson(HttpResponseStatus.BAD_REQUEST).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("could not parse the JSON body");
        assertThat(stats.errorResponses()).isEqualTo(1);
    }

    @Test
    void missingFieldsAndWrongTypesNameTheField() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ZERO));
        channel.writeInbound(post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("model");

        channel.writeInbound(post("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[]}"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("messages");

        channel.writeInbound(post("/v1/chat/completions", "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[]}"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("stream");

        channel.writeInbound(post("/v1/chat/completions", CHAT.replace("}]}", "}],\"max_tokens\":0}")));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("max_tokens");

        channel.writeInbound(post("/v1/images/generations", "{\"prompt\":\"p\",\"n\":11}"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("n");

        channel.writeInbound(post("/v1/chat/completions", CHAT, "x-sim-status", "200"));
        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/param").asText()).isEqualTo("x-sim-status");
    }

    @Test
    void unknownPathIsNotFoundAndWrongMethodIsNotAllowed() throws Exception {
        start(SimulatorConfig.builder());
        channel.writeInbound(post("/v1/audio/speech", "{}"));
        JsonNode notFound = readJson(HttpResponseStatus.NOT_FOUND);
        assertThat(notFound.at("/error/message").asText()).isEqualTo("Invalid URL (POST /v1/audio/speech)");

        channel.writeInbound(get("/v1/chat/completions"));
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            assertThat(response.headers().get("allow")).isEqualTo("POST");
            assertThat(JSON.readTree(response.content().toString(UTF_8)).at("/error/type").asText())
                    .isEqualTo("invalid_request_error");
        } finally {
            response.release();
        }
        assertThat(stats.requests("other")).isEqualTo(1);
        assertThat(stats.requests("/v1/chat/completions")).isEqualTo(1);
    }

    @Test
    void forcedStatusComesAfterTheLatencyWithOpenAisErrorBody() throws Exception {
        start(SimulatorConfig.builder().latency(Duration.ofMillis(20)));
        channel.writeInbound(post("/v1/chat/completions", STREAM_WITH_USAGE, "x-sim-status", "503"));
        advance(19);
        assertThat(channel.<Object>readOutbound()).isNull();
        advance(1);

        JsonNode error = readJson(HttpResponseStatus.SERVICE_UNAVAILABLE).path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void malformedHttpIsRefusedAndTheConnectionClosed() throws Exception {
        start(SimulatorConfig.builder());
        FullHttpRequest broken = post("/v1/chat/completions", CHAT);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
        channel.writeInbound(broken);

        assertThat(readJson(HttpResponseStatus.BAD_REQUEST).at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void tooLargeBodyGetsA413InOpenAisShape() throws Exception {
        SimulatorConfig config = SimulatorConfig.defaults();
        Bodies bodies = new Bodies(config.models(), 0, 7);
        channel = new EmbeddedChannel(new OversizedRequestAggregator(100, bodies, stats),
                new SimulatorHandler(new ReplyPlanner(config, stats), bodies, stats, CLOCK));
        DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions");
        head.headers().setInt("content-length", 101);
        channel.writeInbound(head);

        JsonNode error = readJson(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE).path("error");
        assertThat(error.path("code").asText()).isEqualTo("request_too_large");
        assertThat(error.path("message").asText()).contains("100 bytes");
        assertThat(channel.isOpen()).isFalse();
        assertThat(stats.totalRequests()).isZero();
    }

    @Test
    void lastRequestIsRecordedWithHeadersAndBodyFacts() {
        start(SimulatorConfig.builder().latency(Duration.ofSeconds(1)));
        channel.writeInbound(post("/v1/chat/completions?x=1", STREAM_WITH_USAGE, "authorization", "Bearer upstream"));

        RecordedRequest last = stats.lastRequest().orElseThrow();
        assertThat(last.method()).isEqualTo("POST");
        assertThat(last.uri()).isEqualTo("/v1/chat/completions?x=1");
        assertThat(last.header("Authorization")).isEqualTo("Bearer upstream");
        assertThat(last.model()).isEqualTo("dalsi-ai");
        assertThat(last.stream()).isTrue();
        assertThat(last.includeUsage()).isTrue();
    }

    // --- helpers

    private boolean lastContentSeen;

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** The SSE events written so far, without their blank-line separators. */
    private List<String> readEvents() {
        List<String> events = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            HttpContent content = (HttpContent) msg;
            try {
                for (String event : content.content().toString(UTF_8).split("\n\n")) {
                    if (!event.isEmpty()) {
                        events.add(event);
                    }
                }
                if (content instanceof LastHttpContent) {
                    lastContentSeen = true;
                }
            } finally {
                content.release();
            }
        }
        return events;
    }

    private static String data(String event) {
        assertThat(event).startsWith("data: ");
        return event.substring("data: ".length());
    }

    private JsonNode readJson(HttpResponseStatus expected) throws Exception {
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response").isNotNull();
        try {
            assertThat(response.status()).isEqualTo(expected);
            assertThat(response.headers().get("content-type")).isEqualTo("application/json");
            return JSON.readTree(response.content().toString(UTF_8));
        } finally {
            response.release();
        }
    }

    private static FullHttpRequest post(String uri, String body, String... headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri,
                Unpooled.copiedBuffer(body, UTF_8));
        request.headers().set("content-type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static FullHttpRequest get(String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    /** Holds back flushes, so written data stays in the channel's outbound buffer, as on a slow socket. */
    private static final class FlushGate extends ChannelOutboundHandlerAdapter {
        private boolean open;

        void open(EmbeddedChannel channel) {
            open = true;
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (open) {
                ctx.flush();
            }
        }
    }
}
