package ai.dalsi.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.tokens.TokenCounter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The simulator's answers are n tokens long to the real tokenizer when it says n: each element of
 * its text is one token, and no run of them (across the cycle's end too) merges or splits, in both
 * encodings a model may use.
 */
class SimulatorTokensTest {

    private final TokenCounter counter = TokenCounter.byModelFamily();

    @ParameterizedTest
    @ValueSource(strings = {"dalsi-ai", "gpt-4o"})
    void everyPrefixOfTheAnswerIsAsManyTokensAsElements(String model) {
        StringBuilder answer = new StringBuilder();
        int elements = 3 * Bodies.TOKENS.size() + 5;
        for (int n = 1; n <= elements; n++) {
            answer.append(Bodies.TOKENS.get((n - 1) % Bodies.TOKENS.size()));
            assertThat(counter.countText(model, answer.toString())).as("first %d elements", n).isEqualTo(n);
        }
    }
}
