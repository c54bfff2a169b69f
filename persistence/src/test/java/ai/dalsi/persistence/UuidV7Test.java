package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UuidV7Test {

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 1_732_412_345_123L, 281_474_976_710_655L})
    void carriesItsMillisecondsVersionAndVariant(long ms) {
        UUID id = UuidV7.at(ms);
        assertThat(UuidV7.epochMillis(id)).isEqualTo(ms);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(UuidV7.isV7(id)).isTrue();
    }

    @Test
    void textFormStartsWithTheHexTimestamp() {
        UUID id = UuidV7.at(Instant.parse("2026-11-24T23:01:05.733Z"));
        assertThat(id.toString()).startsWith(String.format("%08x-%04x-7",
                Instant.parse("2026-11-24T23:01:05.733Z").toEpochMilli() >>> 16,
                Instant.parse("2026-11-24T23:01:05.733Z").toEpochMilli() & 0xFFFF));
        assertThat(UuidV7.instant(id)).isEqualTo(Instant.parse("2026-11-24T23:01:05.733Z"));
    }

    @Test
    void idsOfTheSameMillisecondDiffer() {
        Set<UUID> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(UuidV7.at(42L));
        }
        assertThat(ids).hasSize(10_000);
        assertThat(UuidV7.isV7(UUID.randomUUID())).isFalse();
    }
}
