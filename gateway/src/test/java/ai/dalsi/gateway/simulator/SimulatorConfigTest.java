package ai.dalsi.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatorConfigTest {

    @Test
    void defaultsSuitADemo() {
        SimulatorConfig config = SimulatorConfig.defaults();

        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isZero();
        assertThat(config.models()).containsExactly("dalsi-ai", "dalsi-aivi");
        assertThat(config.errorRate()).isZero();
        assertThat(config.latency()).isLessThanOrEqualTo(Duration.ofMillis(100));
        assertThat(config.timeToFirstToken()).isEqualTo(config.latency());
        assertThat(config.tokensPerSecond()).isPositive();
    }

    @Test
    void commandLineOptionsSetEverySetting() {
        SimulatorConfig config = SimulatorConfig.fromArgs(List.of(
                "--host", "0.0.0.0", "--port=9100", "--threads", "2", "--latency-ms", "5", "--ttft-ms", "7",
                "--tokens-per-second", "12.5", "--completion-tokens", "99", "--error-rate", "0.01", "--seed", "3",
                "--models", "a,b,c", "--image-latency-ms", "11"));

        assertThat(config).isEqualTo(new SimulatorConfig("0.0.0.0", 9100, 2, Duration.ofMillis(5), Duration.ofMillis(7),
                12.5, 99, 0.01, 3, List.of("a", "b", "c"), Duration.ofMillis(11)));
    }

    @Test
    void timeToFirstTokenFollowsTheLatencyUnlessGiven() {
        assertThat(SimulatorConfig.fromArgs(List.of("--latency-ms", "0")).timeToFirstToken()).isZero();
        assertThat(SimulatorConfig.fromArgs(List.of("--latency-ms", "0", "--ttft-ms", "30")).timeToFirstToken())
                .isEqualTo(Duration.ofMillis(30));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--port|70000|simulator.port: 70000 (expected: 0..65535, 0 = any free port)",
        "--threads|0|simulator.ioThreads: 0 (expected: 1..256)",
        "--latency-ms|-1|simulator.latency: PT-0.001S (expected: >= 0 ms)",
        "--tokens-per-second|-3|simulator.tokensPerSecond: -3.0 (expected: >= 0, 0 = as fast as possible)",
        "--tokens-per-second|NaN|simulator.tokensPerSecond: NaN (expected: >= 0, 0 = as fast as possible)",
        "--completion-tokens|0|simulator.completionTokens: 0 (expected: 1..1000000)",
        "--error-rate|1.5|simulator.errorRate: 1.5 (expected: 0..1)",
        "--models|a,,b|simulator.models: [a, , b] (expected: distinct, non-blank model ids)",
        "--models|a,a|simulator.models: [a, a] (expected: distinct, non-blank model ids)",
        "--host|' '|simulator.host:   (expected: an address such as 127.0.0.1)",
        "--port|eighty|--port: eighty (expected: a whole number)",
        "--error-rate|lots|--error-rate: lots (expected: a number)",
    })
    void badValuesNameTheSetting(String option, String value, String message) {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(List.of(option, value)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void malformedCommandLinesAreNamed() {
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(List.of("--port")))
                .hasMessage("--port: missing value");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(List.of("9000")))
                .hasMessage("unexpected argument: 9000 (expected: --option value)");
        assertThatThrownBy(() -> SimulatorConfig.fromArgs(List.of("--speed", "1")))
                .hasMessage("unknown option: --speed");
    }

    @Test
    void usageNamesEveryOption() {
        assertThat(SimulatorConfig.usage()).contains("--host", "--port", "--threads", "--latency-ms", "--ttft-ms",
                "--tokens-per-second", "--completion-tokens", "--error-rate", "--seed", "--models", "--image-latency-ms");
    }
}
