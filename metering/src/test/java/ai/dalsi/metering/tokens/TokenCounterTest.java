package ai.dalsi.metering.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenCounterTest {

    private final TokenCounter counter = TokenCounter.byModelFamily();

    /**
     * The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", with the
     * prompt_tokens OpenAI's API reported for it (129 for the cl100k_base models, 124 for the
     * o200k_base ones).
     */
    private static final String COOKBOOK = """
            {"model": "m", "messages": [
              {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
              {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
              {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
              {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
              {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
              {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
            ]}""";

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "gpt-4-0613,    129",
        "gpt-3.5-turbo, 129",
        "gpt-4o,        124",
        "gpt-4o-mini,   124",
    })
    void chatPromptsCountAsOpenAiReportsThem(String model, int promptTokens) {
        byte[] body = COOKBOOK.getBytes(StandardCharsets.UTF_8);
        assertThat(counter.countPrompt(model, PromptReader.read(body, 0, body.length))).isEqualTo(promptTokens);
    }

    @Test
    void contentPartsCountTheirTextAndImagesAndTheRestIsIgnored() {
        String body = """
                {"model":"gpt-4o","temperature":0.2,"messages":[
                  {"role":"user","content":[{"type":"text","text":"What is in this picture?"},
                    {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},
                  {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function",
                    "function":{"name":"lookup","arguments":"{\\"q\\":\\"cat\\"}"}}]},
                  {"role":"tool","tool_call_id":"call_1","content":"a cat"}],
                 "tools":[{"type":"function","function":{"name":"ignored","description":"not counted here"}}]}""";
        Prompt prompt = PromptReader.read(body.getBytes(StandardCharsets.UTF_8), 0, body.length());
        assertThat(prompt).isEqualTo(new Prompt.Chat(List.of(
                new Prompt.Message("user", null, List.of("What is in this picture?"), 1),
                new Prompt.Message("assistant", null, List.of("lookup", "{\"q\":\"cat\"}"), 0),
                new Prompt.Message("tool", null, List.of("call_1", "a cat"), 0))));
        int expected = 3 * TokenCounter.TOKENS_PER_MESSAGE + TokenCounter.TOKENS_PER_REPLY + TokenCounter.TOKENS_PER_IMAGE
                + count("gpt-4o", "user", "What is in this picture?", "assistant", "lookup", "{\"q\":\"cat\"}", "tool",
                        "call_1", "a cat");
        assertThat(counter.countPrompt("gpt-4o", prompt)).isEqualTo(expected);
    }

    @Test
    void textPromptsCountTextAndTokenIdsWithoutOverhead() {
        assertThat(read("{\"model\":\"m\",\"prompt\":\"Say this is a test\"}"))
                .isEqualTo(new Prompt.Text(List.of("Say this is a test"), 0));
        assertThat(counter.countPrompt("gpt-3.5-turbo-instruct", read("{\"prompt\":\"Say this is a test\"}")))
                .isEqualTo(5);
        assertThat(read("{\"prompt\":[\"a b\", \"c\"]}")).isEqualTo(new Prompt.Text(List.of("a b", "c"), 0));
        assertThat(read("{\"prompt\":[1, 2, 3]}")).isEqualTo(new Prompt.Text(List.of(), 3));
        assertThat(read("{\"prompt\":[[1, 2], [3]]}")).isEqualTo(new Prompt.Text(List.of(), 3));
        assertThat(read("{\"input\":\"embed me\"}")).isEqualTo(new Prompt.Text(List.of("embed me"), 0));
        assertThat(read("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}]}"))
                .isEqualTo(new Prompt.Chat(List.of(new Prompt.Message("user", null, List.of("hi"), 0))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"not json", "[1,2]", "{\"messages\": \"x\"}", "{\"model\":\"m\"}", "{\"messages\":[{\"role\":"})
    void whatIsNotAPromptCountsNothing(String body) {
        assertThat(counter.countPrompt("m", read(body))).isZero();
    }

    @Test
    void specialTokenTextIsOrdinaryText() {
        assertThat(counter.countText("gpt-4", "<|endoftext|>")).isGreaterThan(1);
        assertThat(counter.countText("gpt-4", "")).isZero();
        assertThat(counter.countText("gpt-4", null)).isZero();
    }

    @Test
    void generatedTextKeepsOnlyWhatTheModelWroteInEachChoice() {
        String stream = """
                data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}

                data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"}},{"index":1,"delta":{"content":"Bye"}}]}

                data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}]}

                data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":null}

                data: [DONE]

                """;
        GeneratedText g = new GeneratedText().addEventStream(stream);
        assertThat(g.choices()).containsExactly("Hello world", "Bye");
        assertThat(counter.countGenerated("gpt-4o", g)).isEqualTo(3);

        GeneratedText whole = new GeneratedText().addJson(("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Hi there\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9}}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(whole.choices()).containsExactly("Hi there");
        GeneratedText text = new GeneratedText().addJson("{\"choices\":[{\"text\":\" done\",\"index\":0}]}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(text.choices()).containsExactly(" done");
        assertThat(new GeneratedText().addJson("{\"choices\":[{\"index\":0,\"de".getBytes(StandardCharsets.UTF_8))
                .isEmpty()).isTrue();
    }

    @Test
    void generatedTextOfResponsesKeepsTheOutputTextAndTheDeltasOnly() {
        String stream = """
                event: response.created
                data: {"type":"response.created","response":{"id":"r1","output":[]}}

                event: response.output_text.delta
                data: {"type":"response.output_text.delta","item_id":"m1","delta":"Hello"}

                event: response.output_text.delta
                data: {"type":"response.output_text.delta","item_id":"m1","delta":" world"}

                event: response.output_text.done
                data: {"type":"response.output_text.done","item_id":"m1","text":"Hello world"}

                """;
        assertThat(new GeneratedText().addEventStream(stream).choices()).containsExactly("Hello world");
        GeneratedText whole = new GeneratedText().addJson(("{\"id\":\"r1\",\"object\":\"response\",\"output\":[{\"type\":"
                + "\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hi there\","
                + "\"annotations\":[]}]}],\"usage\":null}").getBytes(StandardCharsets.UTF_8));
        assertThat(whole.choices()).containsExactly("Hi there");
    }

    @Test
    void explicitEncodingsWinOverTheFamilyAndBadNamesAreNamed() {
        ModelEncodings encodings = ModelEncodings.of(Map.of("dalsi-ai", "o200k_base"));
        assertThat(encodings.forModel("dalsi-ai")).isEqualTo(TokenEncoding.O200K_BASE);
        assertThat(encodings.forModel("dalsi-aivi")).isEqualTo(TokenEncoding.CL100K_BASE);
        assertThatThrownBy(() -> ModelEncodings.of(Map.of("dalsi-ai", "p50k_base")))
                .hasMessage("dalsi-ai: tokenizer p50k_base (expected: cl100k_base or o200k_base)");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "gpt-4o,                 O200K_BASE",
        "gpt-4o-mini-2024-07-18, O200K_BASE",
        "chatgpt-4o-latest,      O200K_BASE",
        "gpt-4.1-nano,           O200K_BASE",
        "gpt-5,                  O200K_BASE",
        "o1,                     O200K_BASE",
        "o3-mini,                O200K_BASE",
        "o4-mini,                O200K_BASE",
        "openai/gpt-4o,          O200K_BASE",
        "GPT-4O,                 O200K_BASE",
        "gpt-image-1,            O200K_BASE",
        "gpt-4,                  CL100K_BASE",
        "gpt-4-turbo,            CL100K_BASE",
        "gpt-3.5-turbo,          CL100K_BASE",
        "text-embedding-3-small, CL100K_BASE",
        "dalsi-ai,               CL100K_BASE",
        "omni,                   CL100K_BASE",
        "o,                      CL100K_BASE",
    })
    void encodingByModelFamily(String model, TokenEncoding expected) {
        assertThat(TokenEncoding.forModelFamily(model)).isEqualTo(expected);
    }

    private int count(String model, String... texts) {
        int n = 0;
        for (String t : texts) {
            n += counter.countText(model, t);
        }
        return n;
    }

    private static Prompt read(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return PromptReader.read(b, 0, b.length);
    }
}
