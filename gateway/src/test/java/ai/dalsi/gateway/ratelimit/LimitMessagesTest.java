package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class LimitMessagesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "MINUTE | 6000000000   | false | Rate limit reached for gpt-4o with API key dsk_live_AbC on tokens per min (TPM): Limit 1000, Used 700, Requested 400. Please try again in 6s.",
        "MINUTE | 360000000000 | false | Rate limit reached for gpt-4o with API key dsk_live_AbC on tokens per min (TPM): Limit 1000, Used 700, Requested 400. Please try again in 6m0s.",
        "DAY    | 0            | true  | Request too large for gpt-4o with API key dsk_live_AbC on tokens per day (TPD): Limit 1000, Requested 400. The input or output tokens must be reduced in order to run successfully.",
    })
    void tokenRefusalsAreWordedAsOpenAiWordsThem(TokenWindow window, long retryNanos, boolean exceeds, String expected) {
        var refused = new AdmissionDecision.TokensRefused(window, 1000, 700, 400, retryNanos, retryNanos, exceeds,
                RateLimitDecision.UNLIMITED);
        assertThat(LimitMessages.tokens(refused, "gpt-4o", "dsk_live_AbC")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"10, 10.00", "0.5, 0.50", "0.0012, 0.0012", "1234.56780000, 1234.5678", "0E-8, 0.00"})
    void dollarsShowCentsAndNoMore(String amount, String shown) {
        assertThat(LimitMessages.usd(new BigDecimal(amount))).isEqualTo(shown);
    }

    @ParameterizedTest
    @CsvSource({"MINUTE, 30000000000, Rate limit reached for requests per minute: limit 2. Please try again in 30s."})
    void requestRefusalsKeepTheirWords(RateWindow window, long retryNanos, String expected) {
        assertThat(LimitMessages.requests(new RateLimitDecision.Limited(window, 2, retryNanos, retryNanos)))
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(RateWindow.class)
    void requestRefusalsSayWhatTheirPatternSays(RateWindow window) {
        long retryNanos = 1_234_000_000L;
        assertThat(LimitMessages.requests(new RateLimitDecision.Limited(window, 7, retryNanos, retryNanos)))
                .isEqualTo(String.format(Locale.ROOT, LimitMessages.REQUESTS, window.phrase(), 7L,
                        OpenAiDuration.format(retryNanos)));
    }
}
