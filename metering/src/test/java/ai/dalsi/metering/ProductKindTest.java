package ai.dalsi.metering;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProductKindTest {

    @ParameterizedTest
    @CsvSource({"chat, CHAT", "completion, COMPLETION", " Embedding , EMBEDDING", "image, IMAGE", "responses, RESPONSES"})
    void kindsAreReadFromTheirDatabaseValue(String value, ProductKind kind) {
        assertThat(ProductKind.ofDbValue(value)).isEqualTo(kind);
        assertThat(ProductKind.ofDbValue(kind.dbValue())).isEqualTo(kind);
    }

    @ParameterizedTest
    @CsvSource({"images", "''", "chats"})
    void unknownKindsAreNull(String value) {
        assertThat(ProductKind.ofDbValue(value)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
            // kind, request bytes, response bytes, images requested, prompt, completion, images
            "CHAT, 400, 800, 1, 100, 200, 0",
            "COMPLETION, 400, 800, 1, 100, 200, 0",
            "RESPONSES, 400, 800, 1, 100, 200, 0",
            // an embedding's answer is a vector: only its input is billed
            "EMBEDDING, 400, 80000, 1, 100, 0, 0",
            "IMAGE, 400, 800, 3, 100, 200, 3",
            "IMAGE, 400, 800, 0, 100, 200, 1"})
    void anAnswerWithoutUsageIsEstimatedByItsKind(ProductKind kind, long request, long response, long images,
            int prompt, int completion, int expectedImages) {
        TokenUsage u = kind.estimate(request, response, images);
        assertThat(u).isEqualTo(new TokenUsage(prompt, completion, expectedImages, true));
    }

    @ParameterizedTest
    @CsvSource({"CHAT, true", "COMPLETION, true", "RESPONSES, false", "EMBEDDING, false", "IMAGE, false"})
    void onlyChatAndCompletionStreamsAreAskedForTheirUsage(ProductKind kind, boolean asked) {
        assertThat(kind.streamUsageOnRequest()).isEqualTo(asked);
    }
}
