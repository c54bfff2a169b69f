package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiDurationTest {

    @ParameterizedTest
    @CsvSource({
            "0, 0s",
            "1, 1ms",
            "250, 250ms",
            "999, 999ms",
            "1000, 1s",
            "1500, 1.5s",
            "1050, 1.05s",
            "1005, 1.005s",
            "20000, 20s",
            "60000, 1m0s",
            "360000, 6m0s",
            "3600000, 1h0m0s",
            "3723004, 1h2m3.004s",
            "86400000, 24h0m0s",
    })
    void formatsLikeOpenAi(long millis, String expected) {
        assertThat(OpenAiDuration.format(Duration.ofMillis(millis).toNanos())).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0, 0, 0", "1, 1, 1", "1000000, 1, 1", "1000000000, 1, 1000", "1000000001, 2, 1001",
            "20000000000, 20, 20000"})
    void retryAfterRoundsUp(long nanos, long seconds, long millis) {
        assertThat(OpenAiDuration.ceilSeconds(nanos)).isEqualTo(seconds);
        assertThat(OpenAiDuration.ceilMillis(nanos)).isEqualTo(millis);
    }

    @ParameterizedTest
    @CsvSource({"1, 1ms", "999999, 1ms", "1000001, 2ms"})
    void partialMillisecondsRoundUp(long nanos, String expected) {
        assertThat(OpenAiDuration.format(nanos)).isEqualTo(expected);
    }
}
