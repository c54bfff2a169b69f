package ai.dalsi.gateway.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

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
    void timeToFirstTokenFollowsTheLatencyUnlessGiven() {
        assertThat(SimulatorConfig.builder().latency(Duration.ZERO).build().timeToFirstToken()).isZero();
        assertThat(SimulatorConfig.builder().latency(Duration.ZERO).timeToFirstToken(Duration.ofMillis(30)).build()
                .timeToFirstToken()).isEqualTo(Duration.ofMillis(30));
    }

    @Test
    void badValuesNameTheSetting() {
        assertThatThrownBy(() -> SimulatorConfig.builder().port(70000).build())
                .hasMessage("simulator.port: 70000 (expected: 0..65535, 0 = any free port)");
        assertThatThrownBy(() -> SimulatorConfig.builder().ioThreads(0).build())
                .hasMessage("simulator.ioThreads: 0 (expected: 1..256)");
        assertThatThrownBy(() -> SimulatorConfig.builder().latency(Duration.ofMillis(-1)).build())
                .hasMessage("simulator.latency: PT-0.001S (expected: >= 0 ms)");
        assertThatThrownBy(() -> SimulatorConfig.builder().tokensPerSecond(Double.NaN).build())
                .hasMessage("simulator.tokensPerSecond: NaN (expected: >= 0, 0 = as fast as possible)");
        assertThatThrownBy(() -> SimulatorConfig.builder().completionTokens(0).build())
                .hasMessage("simulator.completionTokens: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> SimulatorConfig.builder().errorRate(1.5).build())
                .hasMessage("simulator.errorRate: 1.5 (expected: 0..1)");
        assertThatThrownBy(() -> SimulatorConfig.builder().models(List.of("a", "", "b")).build())
                .hasMessage("simulator.models: [a, , b] (expected: distinct, non-blank model ids)");
        assertThatThrownBy(() -> SimulatorConfig.builder().models(List.of("a", "a")).build())
                .hasMessage("simulator.models: [a, a] (expected: distinct, non-blank model ids)");
        assertThatThrownBy(() -> SimulatorConfig.builder().host(" ").build())
                .hasMessage("simulator.host:   (expected: an address such as 127.0.0.1)");
    }
}
