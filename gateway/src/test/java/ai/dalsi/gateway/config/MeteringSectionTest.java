package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.metering.MeteringConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code metering} section: the ledger's settings through the config loader. */
class MeteringSectionTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTheLedgersDefaults() {
        assertThat(ConfigLoader.load(null, Map.of()).metering()).isEqualTo(MeteringConfig.defaults());
    }

    @Test
    void fileAndEnvironment() throws IOException {
        Path f = Files.writeString(dir.resolve("gateway.yaml"), """
                metering:
                  journalDirectory: /var/lib/dalsi/journal
                  batchSize: 5000
                  flushInterval: 50ms
                """);
        MeteringConfig m = ConfigLoader.load(f, Map.of("GATEWAY_METERING_SHUTDOWN_DRAIN_TIMEOUT", "30s",
                "GATEWAY_METERING_JOURNAL_DIRECTORY", "/data/journal")).metering();
        assertThat(m.journalDirectory()).isEqualTo(Path.of("/data/journal"));
        assertThat(m.batchSize()).isEqualTo(5000);
        assertThat(m.flushInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(m.shutdownDrainTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "GATEWAY_METERING_BATCH_SIZE       | 0     | metering.batchSize: 0 (expected: > 0) [from GATEWAY_METERING_BATCH_SIZE]",
            "GATEWAY_METERING_WARN_RATIO       | 1.5   | metering.warnRatio: 1.5 (expected: > 0 and < 1) [from GATEWAY_METERING_WARN_RATIO]",
            "GATEWAY_METERING_WARN_RATIO       | most  | metering.warnRatio: \"most\" (expected: a number) [from GATEWAY_METERING_WARN_RATIO]",
            "GATEWAY_METERING_FLUSH_INTERVAL   | 200   | metering.flushInterval: \"200\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d) [from GATEWAY_METERING_FLUSH_INTERVAL]",
            "GATEWAY_METERING_SEGMENT_SIZE     | 1024  | metering.segmentSize: 1024 (expected: 65536..1073741824 bytes) [from GATEWAY_METERING_SEGMENT_SIZE]",
    })
    void invalidValuesNameTheSettingAndTheVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(variable, value)))
                .isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void unknownSettingIsNamed() throws IOException {
        Path f = Files.writeString(dir.resolve("gateway.yaml"), "metering:\n  batchsize: 10\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessage("unknown setting: metering.batchsize (did you mean metering.batchSize?)");
    }
}
