package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EdgeConfigTest {

    @Test
    void defaultsAreValid() {
        EdgeConfig c = EdgeConfig.defaults();
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.toBuilder().port(0).build().port()).isZero();
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.port(70000), "edge.port: 70000 (expected: 0..65535)"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.host(" "), "edge.host: missing"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.maxBodyBytes(10), "edge.maxBodyBytes: 10"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.keepAliveIdleTimeout(Duration.ZERO),
                        "edge.keepAliveIdleTimeout: PT0S (expected: > 0)"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.servedEnvironments(Set.of()),
                        "edge.servedEnvironments: empty"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.trustedProxies(List.of("proxy.local")),
                        "edge.trustedProxies[0]: proxy.local"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.keyCacheExpiry(Duration.ofSeconds(1)),
                        "edge.keyCacheExpiry: PT1S (expected: >= edge.keyCacheRefresh PT30S)"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.keyLoadThreads(0), "edge.keyLoadThreads: 0"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.ioThreads(-1), "edge.ioThreads: -1"));
    }

    @ParameterizedTest
    @MethodSource("bad")
    void aBadValueNamesItsSetting(UnaryOperator<EdgeConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(EdgeConfig.defaults().toBuilder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
