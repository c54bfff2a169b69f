package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.metering.Pricing;
import java.math.BigDecimal;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorstCaseTest {

    /** input 0.0005, output 0.0015 per 1k, 0.04 per image, base 0.0001 per request. */
    private static final Pricing MODEL = Pricing.of(
            "{\"input_per_1k\": \"0.0005\", \"output_per_1k\": 0.0015, \"per_image\": \"0.04\"}",
            new BigDecimal("0.002"), new BigDecimal("0.0001"));
    /** Only the product's 0.002 per 1k tokens, no base. */
    private static final Pricing PRODUCT = Pricing.of("{}", new BigDecimal("0.002"), BigDecimal.ZERO);

    @ParameterizedTest(name = "prompt {0}, max_tokens {1}, n {2}, product max {3}, images {4}, {5} -> {6} tokens, ${7}")
    @CsvSource({
        // the client's max_tokens: 100 + 200 tokens; 0.0001 + 100*0.0005/1000 + 200*0.0015/1000
        "100,  200, 1, 2048, 0, model,   300, 0.00045000",
        // times n
        "100,  200, 3, 2048, 0, model,   700, 0.00105000",
        // none given: the product's max_tokens_per_request (not times n)
        "100,   -1, 1, 2048, 0, model,  2148, 0.00322200",
        "100,   -1, 4, 2048, 0, model,  2148, 0.00322200",
        // max_tokens 0: the prompt alone
        " 40,    0, 1, 2048, 0, model,    40, 0.00012000",
        // priced by the product per 1k tokens of both kinds
        "100,  200, 1, 2048, 0, product, 300, 0.00060000",
        // images priced per image on top
        " 10,   -1, 1,    1, 2, model,    11, 0.08010650",
        // absurd requests saturate instead of overflowing: the completion is priced at 2^31-1 tokens,
        // the prompt's 5 on top of it (each priced on its own, as the ledger prices a success)
        "  5, 9223372036854775807, 2, 2048, 0, product, 9223372036854775807, 4294.96730400",
    })
    void worstCaseIsThePromptPlusTheMostTheAnswerMayBePricedAsASuccess(int prompt, long maxTokens, long n,
            int productMax, int images, String pricing, long tokens, String cost) {
        WorstCase w = WorstCase.of(prompt, maxTokens, n, productMax, images, pricing.equals("model") ? MODEL : PRODUCT);
        assertThat(w.tokens()).isEqualTo(tokens);
        assertThat(w.cost()).isEqualTo(new BigDecimal(cost));
    }

    @ParameterizedTest
    @CsvSource({"-1, 1, 2048, 0", "1, 0, 2048, 0", "1, 1, 0, 0", "1, 1, 2048, -1"})
    void nonsenseIsRefused(int prompt, long n, int productMax, int images) {
        assertThatThrownBy(() -> WorstCase.of(prompt, 10, n, productMax, images, PRODUCT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
