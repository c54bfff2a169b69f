package ai.dalsi.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.metering.tokens.TokenCounter;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.images.Image;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK, unmodified (but validating every response strictly), against the
 * simulated backend: the shapes the gateway's users will see must be ones the SDK accepts.
 */
class SimulatedBackendSdkIT {

    private static final String MODEL = "dalsi-ai";
    private static SimulatedBackend backend;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        backend = SimulatedBackend.start(SimulatorConfig.builder()
                .latency(Duration.ZERO)
                .tokensPerSecond(0)
                .completionTokens(12)
                .imageLatency(Duration.ZERO)
                .build());
        client = OpenAIOkHttpClient.builder()
                .baseUrl(backend.baseUrl() + "/v1")
                .apiKey("x")
                .maxRetries(0)
                .responseValidation(true)
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private static ChatCompletionCreateParams.Builder chat() {
        return ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addSystemMessage("You are terse.")
                .addUserMessage("Say hello to the people of Brno, please."); // 40 characters
    }

    @Test
    void chatCompletionHasContentAndUsage() {
        ChatCompletion completion = client.chat().completions().create(chat().build());

        assertThat(completion.id()).startsWith("chatcmpl-");
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.choices()).hasSize(1);
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.message().content()).hasValueSatisfying(c -> assertThat(c).startsWith("This is a simulated"));
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(12);
        // OpenAI's count with the model family's tokenizer: 3 per message + role + content, + 3 for the reply
        TokenCounter tokens = TokenCounter.byModelFamily();
        assertThat(usage.promptTokens()).isEqualTo(3 + tokens.countText(MODEL, "system")
                + tokens.countText(MODEL, "You are terse.") + 3 + tokens.countText(MODEL, "user")
                + tokens.countText(MODEL, "Say hello to the people of Brno, please.") + 3).isEqualTo(26);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 12);
        assertThat(backend.stats().requests("/v1/chat/completions")).isPositive();
        assertThat(backend.stats().lastRequest().orElseThrow().header("authorization")).isEqualTo("Bearer x");
    }

    @Test
    void maxCompletionTokensCapsTheAnswer() {
        ChatCompletion completion = client.chat().completions().create(chat().maxCompletionTokens(3).build());

        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.message().content()).contains("This is a");
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(3);
    }

    @Test
    void streamWithIncludeUsageEndsWithAUsageChunk() {
        List<ChatCompletionChunk> chunks = streamChat(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build());

        assertThat(contentOf(chunks)).isEqualTo(wholeAnswer());
        assertThat(chunks.getFirst().choices().getFirst().delta().role())
                .hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        long contentChunks = chunks.stream()
                .filter(c -> !c.choices().isEmpty() && c.choices().getFirst().delta().content().filter(s -> !s.isEmpty()).isPresent())
                .count();
        assertThat(contentChunks).isEqualTo(12);
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        CompletionUsage usage = last.usage().orElseThrow();
        assertThat(usage.completionTokens()).isEqualTo(12);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + 12);
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().getFirst().finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
    }

    @Test
    void streamWithoutIncludeUsageHasNoUsageChunk() {
        List<ChatCompletionChunk> chunks = streamChat(chat().build());

        assertThat(contentOf(chunks)).isEqualTo(wholeAnswer());
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.usage()).isEmpty();
            assertThat(c.choices()).hasSize(1);
        });
        assertThat(chunks.getLast().choices().getFirst().finishReason())
                .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
        assertThat(backend.stats().streamsCompleted()).isPositive();
    }

    @Test
    void omitUsageHeaderDropsTheUsageChunkEvenWhenAskedFor() {
        List<ChatCompletionChunk> chunks = streamChat(chat()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .putAdditionalHeader("x-sim-omit-usage", "true")
                .build());

        assertThat(contentOf(chunks)).isEqualTo(wholeAnswer());
        assertThat(chunks).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    }

    @Test
    void completionTokensHeaderSizesOneAnswer() {
        ChatCompletion completion = client.chat().completions().create(chat()
                .putAdditionalHeader("x-sim-completion-tokens", "40")
                .build());

        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(40);
        // the vocabulary has 32 tokens: the text wraps around
        assertThat(completion.choices().getFirst().message().content().orElseThrow())
                .startsWith(wholeAnswer()).contains(":This is a simulated");
    }

    @Test
    void textCompletion() {
        Completion completion = client.completions().create(CompletionCreateParams.builder()
                .model(MODEL)
                .prompt("def fibonacci(n):") // def, fibonacci, (n, ): 4 tokens in cl100k_base
                .maxTokens(5)
                .build());

        assertThat(completion.id()).startsWith("cmpl-");
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.choices().getFirst().text()).isEqualTo("This is a simulated answer");
        assertThat(completion.choices().getFirst().finishReason())
                .isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(4);
        assertThat(usage.completionTokens()).isEqualTo(5);
        assertThat(usage.totalTokens()).isEqualTo(9);
    }

    @Test
    void streamedTextCompletionWithUsage() {
        CompletionCreateParams params = CompletionCreateParams.builder()
                .model(MODEL)
                .prompt("def fibonacci(n):")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<Completion> chunks = new ArrayList<>();
        // OpenAI sends "finish_reason": null on every text_completion chunk but the last, which the
        // SDK's strict validation refuses; the SDK's default (lenient) client reads it, as it must.
        OpenAIClient lenient = OpenAIOkHttpClient.builder()
                .baseUrl(backend.baseUrl() + "/v1").apiKey("x").maxRetries(0).build();
        try (StreamResponse<Completion> stream = lenient.completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        } finally {
            lenient.close();
        }

        String text = chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(c -> c.text())
                .collect(Collectors.joining());
        assertThat(text).isEqualTo(wholeAnswer());
        assertThat(chunks.get(chunks.size() - 2).choices().getFirst().finishReason())
                .isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.STOP);
        assertThat(chunks.getLast().choices()).isEmpty();
        assertThat(chunks.getLast().usage().orElseThrow().completionTokens()).isEqualTo(12);
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> assertThat(c.usage()).isEmpty());
    }

    @Test
    void imageGenerationWithUsage() {
        ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
                .model("dalsi-aivi")
                .prompt("a lighthouse at dawn") // 20 characters -> 5 tokens
                .n(2)
                .build());

        List<Image> images = response.data().orElseThrow();
        assertThat(images).hasSize(2);
        assertThat(images).allSatisfy(i -> assertThat(i.url()).hasValueSatisfying(
                url -> assertThat(url).startsWith(backend.baseUrl() + "/images/").endsWith(".png")));
        ImagesResponse.Usage usage = response.usage().orElseThrow();
        assertThat(usage.inputTokens()).isEqualTo(5);
        assertThat(usage.outputTokens()).isEqualTo(2 * 1056);
        assertThat(usage.totalTokens()).isEqualTo(5 + 2 * 1056);
    }

    @Test
    void imageGenerationAsBase64() {
        ImagesResponse response = client.images().generate(ImageGenerateParams.builder()
                .prompt("a lighthouse at dawn")
                .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
                .build());

        assertThat(response.data().orElseThrow().getFirst().b64Json())
                .hasValueSatisfying(b64 -> assertThat(java.util.Base64.getDecoder().decode(b64))
                        .startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G'));
    }

    @Test
    void modelList() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();

        assertThat(ids).containsExactly("dalsi-ai", "dalsi-aivi");
        assertThat(client.models().retrieve("dalsi-aivi").ownedBy()).isEqualTo("dalsi");
    }

    @Test
    void forcedStatusesMapToTheSdksExceptions() {
        assertThatThrownBy(() -> client.chat().completions().create(chat()
                .putAdditionalHeader("x-sim-status", "500").build()))
                .isInstanceOf(InternalServerException.class)
                .hasMessageContaining("simulated 500");
        assertThatThrownBy(() -> client.chat().completions().create(chat()
                .putAdditionalHeader("x-sim-status", "429").build()))
                .isInstanceOfSatisfying(RateLimitException.class,
                        e -> assertThat(e.code()).hasValue("rate_limit_exceeded"));
        assertThatThrownBy(() -> client.chat().completions().create(chat()
                .putAdditionalHeader("x-sim-latency-ms", "soon").build()))
                .isInstanceOfSatisfying(BadRequestException.class,
                        e -> assertThat(e.param()).hasValue("x-sim-latency-ms"));
    }

    private static List<ChatCompletionChunk> streamChat(ChatCompletionCreateParams params) {
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }
        return chunks;
    }

    private static String contentOf(List<ChatCompletionChunk> chunks) {
        return chunks.stream()
                .flatMap(c -> c.choices().stream())
                .map(c -> c.delta().content().orElse(""))
                .collect(Collectors.joining());
    }

    /** The first 12 tokens of the simulator's vocabulary. */
    private static String wholeAnswer() {
        return "This is a simulated answer from the test model backend, written";
    }
}
