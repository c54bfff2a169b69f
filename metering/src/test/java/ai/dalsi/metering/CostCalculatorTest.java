package ai.dalsi.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CostCalculatorTest {

    private static final Pricing MODEL = Pricing.of(
            "{\"input_per_1k\": \"0.0005\", \"output_per_1k\": 0.0015, \"per_image\": \"0.04\"}",
            new BigDecimal("0.002"), new BigDecimal("0.0001"));

    @ParameterizedTest(name = "status {0}, {1}+{2} tokens, {3} images -> {4}")
    @CsvSource({
        // base 0.0001 + 1000*0.0005/1000 + 500*0.0015/1000
        "200, 1000, 500, 0, 0.00135000",
        "201,    1,   1, 0, 0.00010200",
        // images only: base + 2 * 0.04
        "200,    0,   0, 2, 0.08010000",
        // failures cost nothing
        "429, 1000, 500, 0, 0.00000000",
        "502, 1000, 500, 0, 0.00000000",
        // an abandoned answer costs what the backend produced for it; one that consumed nothing, nothing
        "499, 1000, 500, 0, 0.00135000",
        "499,    0,   0, 0, 0.00000000",
        // 7 * 0.0005 / 1000 = 0.0000035 exactly; + 0.0001 base
        "200,    7,   0, 0, 0.00010350",
    })
    void modelPricesTokensAndImages(int status, int prompt, int completion, int images, String expected) {
        assertThat(CostCalculator.cost(status, TokenUsage.reported(prompt, completion, images), MODEL))
                .isEqualTo(new BigDecimal(expected));
    }

    @Test
    void productPriceAppliesWhenTheModelPricesNoTokens() {
        Pricing p = Pricing.of("{}", new BigDecimal("0.002"), BigDecimal.ZERO);
        assertThat(CostCalculator.cost(200, TokenUsage.reported(300, 700, 0), p)).isEqualTo(new BigDecimal("0.00200000"));
    }

    @Test
    void roundsHalfUpOnceAtTheEnd() {
        Pricing p = Pricing.of("{\"input_per_1k\": \"0.000000015\"}", BigDecimal.ZERO, BigDecimal.ZERO);
        // 1 * 0.000000015 / 1000 = 0.000000000015 -> 0.00000000; 1000 tokens -> 0.000000015 -> 0.00000002
        assertThat(CostCalculator.cost(200, TokenUsage.reported(1, 0, 0), p)).isEqualTo(new BigDecimal("0.00000000"));
        assertThat(CostCalculator.cost(200, TokenUsage.reported(1000, 0, 0), p)).isEqualTo(new BigDecimal("0.00000002"));
    }

    @Test
    void estimateIsNeverZeroAndIsFlagged() {
        TokenUsage u = TokenUsage.estimate(0, 10, 0);
        assertThat(u.estimated()).isTrue();
        assertThat(u.promptTokens()).isEqualTo(1);
        assertThat(u.completionTokens()).isEqualTo(3);
        assertThat(CostCalculator.cost(200, u, MODEL)).isPositive();
    }

    @Test
    void countedUsageIsFlaggedAndCountsThePromptAndTheGeneratedTextOnly() {
        byte[] body = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var generated = new ai.dalsi.metering.tokens.GeneratedText().addEventStream(
                "data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi there\"}}]}\n\n"
                        + "data: [DONE]\n\n");
        TokenUsage u = TokenUsage.counted(ai.dalsi.metering.tokens.TokenCounter.byModelFamily(), "gpt-4o",
                ai.dalsi.metering.tokens.PromptReader.read(body, 0, body.length), generated, 0);
        // 3 per message + "user" (1) + "Hello!" (2) + 3 priming the reply; "Hi there" is 2 tokens.
        assertThat(u).isEqualTo(new TokenUsage(9, 2, 0, true));
    }

    @Test
    void priceIgnoresTheStatusForWorstCases() {
        assertThat(CostCalculator.price(TokenUsage.reported(1000, 500, 0), MODEL)).isEqualTo(new BigDecimal("0.00135000"));
    }

    @Test
    void badPricingNamesTheMember() {
        assertThatThrownBy(() -> Pricing.of("{\"output_per_1k\": \"cheap\"}", null, null))
                .hasMessageStartingWith("pricing.output_per_1k: \"cheap\"");
        assertThatThrownBy(() -> Pricing.of("{\"per_image\": -1}", null, null))
                .hasMessageStartingWith("pricing.per_image: -1");
        assertThatThrownBy(() -> Pricing.of("[1]", null, null)).hasMessage("pricing: expected a JSON object");
    }

    @Test
    void theUpperBoundIsTheCostOfTheLargestCountsUnrounded() {
        BigDecimal bound = CostCalculator.upperBound(MODEL, BigDecimal.valueOf(1000), BigDecimal.valueOf(500),
                BigDecimal.valueOf(2));
        assertThat(bound).isEqualByComparingTo("0.08135");
        assertThat(CostCalculator.cost(200, TokenUsage.reported(1000, 500, 2), MODEL)).isEqualByComparingTo(bound);
        // Counts beyond what a TokenUsage holds are fine here.
        assertThat(CostCalculator.upperBound(MODEL, BigDecimal.ZERO, new BigDecimal("1e30"), BigDecimal.ZERO))
                .isEqualByComparingTo(new BigDecimal("1.5e24").add(new BigDecimal("0.0001")));
    }

    @ParameterizedTest
    @CsvSource({"0, true", "999999999999.99999999, true", "1000000000000, false", "999999999999.999999999, false",
            "-0.00000001, false", "1e300, false"})
    void recordableCostsAreWhatCostUsdNumeric20x8Holds(BigDecimal cost, boolean recordable) {
        assertThat(CostCalculator.recordable(cost)).isEqualTo(recordable);
    }

    @ParameterizedTest
    @CsvSource({"0, true", "0.00000001, true", "1000000, true", "1000000.00000000, true", "1000000.00000001, false",
            "0.000000001, false", "0.10000000000, true", "-1, false", "1e300, false", "1e-300, false", "1e1000000, false"})
    void everyPriceLiesWithinOneBound(BigDecimal price, boolean accepted) {
        assertThat(Pricing.withinBounds(price)).isEqualTo(accepted);
    }

    @org.junit.jupiter.api.Test
    void atTheHighestPricesARequestNeedsABillionTokensToLeaveTheLedgersRange() {
        Pricing dearest = new Pricing(Pricing.MAX_PRICE, Pricing.MAX_PRICE, Pricing.MAX_PRICE, Pricing.MAX_PRICE,
                Pricing.MAX_PRICE);
        assertThat(CostCalculator.recordable(CostCalculator.upperBound(dearest, new BigDecimal("499000000"),
                new BigDecimal("499000000"), new BigDecimal("1000")))).isTrue();
    }
}
