package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which refusals keep a row: the first N per key and minute of the requests' own time. */
class RefusalSamplerTest {

    private static final Instant T = Instant.parse("2026-11-20T10:15:00Z");
    private static final UUID USER = UUID.randomUUID();

    private static UsageEvent refusal(UUID key, Instant at) {
        return UsageEvent.builder(UuidV7.at(at), USER, key).endpoint("/v1/chat/completions").statusCode(429)
                .refused(true).build();
    }

    private static long sampled(RefusalSampler s, UUID key, Instant at, int n) {
        return IntStream.range(0, n).filter(i -> s.sample(refusal(key, at.plusMillis(i)))).count();
    }

    @Test
    void theFirstNPerKeyAndMinuteAreKept() {
        RefusalSampler s = new RefusalSampler(3);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(sampled(s, a, T, 100)).isEqualTo(3);
        assertThat(sampled(s, b, T, 100)).as("each key has its own examples").isEqualTo(3);
        assertThat(sampled(s, a, T.plusSeconds(30), 10)).as("same minute").isZero();
        assertThat(sampled(s, a, T.plusSeconds(60), 10)).as("the next minute").isEqualTo(3);
        assertThat(sampled(s, a, T.plusSeconds(61), 10)).isZero();
    }

    @Test
    void aMinutesLastRefusalsArrivingAfterTheNextMinutesFirstCountInTheirOwnMinute() {
        // Two threads' journal records interleave: the writer may read 10:15:59 after 10:16:00.
        RefusalSampler s = new RefusalSampler(3);
        UUID a = UUID.randomUUID();
        assertThat(sampled(s, a, T.plusSeconds(58), 2)).isEqualTo(2);
        assertThat(sampled(s, a, T.plusSeconds(60), 2)).as("the next minute's first").isEqualTo(2);
        assertThat(sampled(s, a, T.plusSeconds(59), 5)).as("the last example of 10:15, and no more").isEqualTo(1);
        assertThat(sampled(s, a, T.plusSeconds(61), 5)).as("the last example of 10:16, and no more").isEqualTo(1);
        assertThat(sampled(s, a, T.plusSeconds(120), 5)).as("10:17 takes 10:15's place").isEqualTo(3);
        assertThat(sampled(s, a, T.plusSeconds(30), 5)).as("10:15, two minutes behind: its examples are past").isZero();
        assertThat(sampled(s, a, T.plusSeconds(90), 5)).as("10:16 is still counted").isZero();
    }

    @Test
    void zeroKeepsNoExamples() {
        assertThat(sampled(new RefusalSampler(0), UUID.randomUUID(), T, 10)).isZero();
    }
}
