package ai.dalsi.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MeteringConfigTest {

    private static final MeteringConfig D = MeteringConfig.defaults();

    @Test
    void defaultsAreProductionSettings() {
        assertThat(D.journalDirectory()).isEqualTo(Path.of("journal"));
        assertThat(D.segmentSize()).isEqualTo(16L << 20);
        assertThat(D.journalMaxBytes()).isEqualTo(1L << 30);
        assertThat(D.warnRatio()).isEqualTo(0.8);
        assertThat(D.fsyncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(D.batchSize()).isEqualTo(1000);
        assertThat(D.flushInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(D.retryBackoffMin()).isEqualTo(Duration.ofMillis(100));
        assertThat(D.retryBackoffMax()).isEqualTo(Duration.ofSeconds(10));
        assertThat(D.shutdownDrainTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void segmentSizeIsRoundedToPages() {
        assertThat(D.withJournalSizes(65 * 1024 + 1, 1 << 30).segmentSize()).isEqualTo(69632);
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> D.withBatching(0, Duration.ofMillis(1)))
                .hasMessage("metering.batchSize: 0 (expected: > 0)");
        assertThatThrownBy(() -> D.withBatching(1_000_000, Duration.ofMillis(1)))
                .hasMessage("metering.batchSize: 1000000 (expected: <= 100000)");
        assertThatThrownBy(() -> D.withBatching(10, Duration.ZERO))
                .hasMessage("metering.flushInterval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> D.withJournalSizes(1024, 1 << 30))
                .hasMessage("metering.segmentSize: 1024 (expected: 65536..1073741824 bytes)");
        assertThatThrownBy(() -> D.withJournalSizes(1 << 20, 1 << 20))
                .hasMessage("metering.journalMaxBytes: 1048576 (expected: >= 2 * metering.segmentSize = 2097152)");
        assertThatThrownBy(() -> D.withRetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("metering.retryBackoffMax: PT1S (expected: >= metering.retryBackoffMin = PT2S)");
        assertThatThrownBy(() -> D.withShutdownDrainTimeout(Duration.ofSeconds(-1)))
                .hasMessage("metering.shutdownDrainTimeout: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> D.withFsyncInterval(Duration.ZERO))
                .hasMessage("metering.fsyncInterval: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new MeteringConfig(Path.of("j"), 1 << 20, 1 << 30, 1.0, Duration.ofSeconds(1), 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO))
                .hasMessage("metering.warnRatio: 1.0 (expected: > 0 and < 1)");
        assertThatThrownBy(() -> D.withJournalDirectory(null))
                .hasMessageStartingWith("metering.journalDirectory: missing");
    }
}
