package ai.dalsi.metering.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a batch is made of: its keys once each, and one event per request id. */
class BatchKeysTest {

    private static final UUID USER = UUID.randomUUID();
    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    private static UsageEvent event(UUID key, int second) {
        return UsageEvent.builder(UuidV7.at(T.plusSeconds(second)), USER, key).endpoint("/v1/chat/completions")
                .statusCode(200).model("dalsi-chat").build();
    }

    @Test
    void keysComeOnceEachInTheOrderOfTheirFirstEvent() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        UUID c = UUID.randomUUID();
        Batch batch = Batch.of(List.of(event(a, 0), event(a, 1), event(b, 2), event(a, 3), event(c, 4),
                event(b, 5), event(b, 6)));
        assertThat(batch.keys()).containsExactly(a, b, c);
        assertThat(Batch.of(List.of()).keys()).isEmpty();
    }

    @Test
    void aRepeatedRequestIdKeepsItsFirstEventAmongThousands() {
        UUID key = UUID.randomUUID();
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            events.add(event(key, i));
        }
        events.add(events.get(1234));
        events.add(events.get(0));
        Batch batch = Batch.of(events);
        assertThat(batch.size()).isEqualTo(5000);
        assertThat(batch.events()).doesNotHaveDuplicates().containsExactlyElementsOf(events.subList(0, 5000));
        assertThat(batch.end()).isEqualTo(5000);
    }
}
