package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({"250ms, 250", "5s, 5000", "2m, 120000", "1h, 3600000", "1d, 86400000", "PT5S, 5000", "pt0.5s, 500",
            "' 7s ', 7000"})
    void parsesUnitsAndIso(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"30", "", "5x", "-5s", "PT-5S", "s", "1.5s"})
    void refusesWhatIsNotADuration(String text) {
        assertThat(Durations.parse(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource({"250, 250ms", "5000, 5s", "120000, 2m", "3600000, 1h", "86400000, 1d", "1500, 1500ms", "0, 0ms"})
    void formatsBackToTheShortestForm(long millis, String text) {
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
    }
}
