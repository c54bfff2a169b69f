package ai.dalsi.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The retry schedule: doubling from the minimum, capped, and a last attempt. */
class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(30, Duration.ofSeconds(5), Duration.ofHours(1));

    @ParameterizedTest
    @CsvSource({"1, 5", "2, 10", "3, 20", "10, 2560", "11, 3600", "29, 3600", "1000, 3600"})
    void waitsDoubleFromTheMinimumUpToTheMaximum(int attempt, long seconds) {
        assertThat(policy.delayAfter(attempt)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void theLastAttemptHasNoRetryAndTheDefaultsSpanAboutTwentyHours() {
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        assertThat(policy.retryAt(29, t)).isEqualTo(t.plus(Duration.ofHours(1)));
        assertThat(policy.retryAt(30, t)).isNull();
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < 30; attempt++) {
            total = total.plus(policy.delayAfter(attempt));
        }
        assertThat(total).isEqualTo(Duration.ofSeconds(73_515)); // 20 h 25 m 15 s, as the README says
    }
}
