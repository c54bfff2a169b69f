package ai.dalsi.gateway.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.tokens.GeneratedText;
import ai.dalsi.metering.tokens.PromptReader;
import ai.dalsi.metering.tokens.TokenCounter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's own count of an answer that came without usage ({@link TokenUsage#counted}: the
 * prompt's messages and the generated text, with the model's tokenizer) against the usage the
 * simulated backend reports for the same request, over real HTTP: within 10% on every answer.
 * The simulator's figures are real counts (its answer text is one tokenizer token per element, a
 * fact {@code SimulatorTokensTest} checks), so the comparison measures the estimate, streamed or
 * whole, cut short or not, and not a rule of thumb against another.
 */
class UsageEstimateAccuracyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TokenCounter COUNTER = TokenCounter.byModelFamily();
    private static SimulatedBackend backend;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        backend = SimulatedBackend.start(SimulatorConfig.builder().latency(Duration.ZERO)
                .timeToFirstToken(Duration.ZERO).tokensPerSecond(0).build());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    /** Whole answers and streams, chat and text, short to long, both encodings, names and parts. */
    @ParameterizedTest(name = "{0} {1} tokens, stream={2}")
    @CsvSource(delimiter = '|', value = {
        "dalsi-ai    |   1 | false | {\"model\":\"dalsi-ai\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}",
        "dalsi-ai    |  24 | false | {\"model\":\"dalsi-ai\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"name\":\"ana\",\"content\":\"Say hello to the people of Brno, please.\"}]}",
        "dalsi-ai    |  24 | true  | {\"model\":\"dalsi-ai\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Count to twenty-four.\"}]}",
        "gpt-4o      | 300 | true  | {\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Describe it at length.\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\"}}]}]}",
        "gpt-4o-mini | 777 | false | {\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"developer\",\"content\":\"Answer in prose; never use lists. Keep every sentence under thirty words.\"},{\"role\":\"user\",\"content\":\"Wie viele Einwohner hat Brno? Antworte ausführlich, bitte.\"},{\"role\":\"assistant\",\"content\":\"Etwa 400 000.\"},{\"role\":\"user\",\"content\":\"Und Ostrava? 🙂\"}]}",
        "dalsi-ai    |  50 | false | {\"model\":\"dalsi-ai\",\"prompt\":\"def fibonacci(n):\\n    \\\"\\\"\\\"Return the n-th Fibonacci number.\\\"\\\"\\\"\\n\"}",
        "dalsi-ai    |  50 | true  | {\"model\":\"dalsi-ai\",\"stream\":true,\"prompt\":[\"first prompt\", \"second prompt\"]}",
    })
    void countedUsageIsWithinTenPercentOfTheBackendsCount(String model, int tokens, boolean stream, String body)
            throws Exception {
        String path = body.contains("\"messages\"") ? "/v1/chat/completions" : "/v1/completions";
        String withUsage = stream ? body.replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}")
                : body;
        TokenUsage reported = reportedUsage(send(path, withUsage, tokens, false), stream);

        String answer = send(path, body, tokens, true);
        assertThat(answer).doesNotContain("\"usage\":{");
        TokenUsage counted = counted(model, body, answer, stream);

        assertThat(counted.estimated()).isTrue();
        assertThat(reported.completionTokens()).isEqualTo(tokens);
        assertWithinTenPercent("prompt", counted.promptTokens(), reported.promptTokens());
        assertWithinTenPercent("completion", counted.completionTokens(), reported.completionTokens());
        assertWithinTenPercent("total", counted.totalTokens(), reported.totalTokens());
    }

    @ParameterizedTest(name = "cut after {0} of 200 tokens")
    @CsvSource({"0", "3", "11", "150"})
    void aStreamCutShortCountsWhatWasGenerated(int k) throws Exception {
        String body = "{\"model\":\"dalsi-ai\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Go on.\"}]}";
        // A raw socket: everything that arrived before the backend broke the connection is read.
        String received;
        try (Socket socket = new Socket(backend.baseUrl().getHost(), backend.port())) {
            byte[] payload = body.getBytes(UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: sim\r\ncontent-type: application/json\r\n"
                    + SimHeaders.COMPLETION_TOKENS + ": 200\r\n" + SimHeaders.ABORT_AFTER_TOKENS + ": " + k + "\r\n"
                    + "content-length: " + payload.length + "\r\n\r\n").getBytes(UTF_8));
            out.write(payload);
            out.flush();
            received = new String(socket.getInputStream().readAllBytes(), UTF_8);
        }
        TokenUsage counted = counted("dalsi-ai", body, received, true);
        assertThat(received).startsWith("HTTP/1.1 200").doesNotContain("[DONE]");
        assertThat(counted.completionTokens()).isEqualTo(k);
    }

    private static void assertWithinTenPercent(String what, int counted, int truth) {
        assertThat((double) counted).as("%s tokens: counted %d, the backend's %d", what, counted, truth)
                .isBetween(truth * 0.9, truth * 1.1);
    }

    private static TokenUsage counted(String model, String body, String answer, boolean stream) {
        byte[] request = body.getBytes(UTF_8);
        GeneratedText generated = new GeneratedText();
        if (stream) {
            generated.addEventStream(answer);
        } else {
            generated.addJson(answer.getBytes(UTF_8));
        }
        return TokenUsage.counted(COUNTER, model, PromptReader.read(request, 0, request.length), generated, 0);
    }

    private static TokenUsage reportedUsage(String answer, boolean stream) throws IOException {
        JsonNode usage = null;
        if (stream) {
            for (String line : answer.split("\n")) {
                if (line.startsWith("data: {") && line.contains("\"usage\":{")) {
                    usage = JSON.readTree(line.substring(6)).path("usage");
                }
            }
        } else {
            usage = JSON.readTree(answer).path("usage");
        }
        assertThat(usage).as("usage in %s", answer).isNotNull();
        return TokenUsage.reported(usage.path("prompt_tokens").asInt(), usage.path("completion_tokens").asInt(), 0);
    }

    private static String send(String path, String body, int tokens, boolean omitUsage) throws Exception {
        HttpResponse<String> r = http.send(request(path, body, tokens, omitUsage).build(),
                HttpResponse.BodyHandlers.ofString(UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpRequest.Builder request(String path, String body, int tokens, boolean omitUsage) {
        HttpRequest.Builder b = HttpRequest.newBuilder(backend.baseUrl().resolve(path))
                .header("content-type", "application/json")
                .header(SimHeaders.COMPLETION_TOKENS, Integer.toString(tokens))
                .POST(HttpRequest.BodyPublishers.ofString(body, UTF_8));
        if (omitUsage) {
            b.header(SimHeaders.OMIT_USAGE, "true");
        }
        return b;
    }
}
