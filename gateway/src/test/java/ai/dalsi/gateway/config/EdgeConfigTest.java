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
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.ioThreads(-1), "edge.ioThreads: -1"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.maxBodyBytesInFlight(1024),
                        "edge.maxBodyBytesInFlight: 1024 (expected: >= edge.maxBodyBytes 4194304)"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.maxBodyBytesInFlightPerAddress(128L << 20),
                        "edge.maxBodyBytesInFlightPerAddress: 134217728 (expected: between edge.maxBodyBytes"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.maxConnectionsPerAddress(-1),
                        "edge.maxConnectionsPerAddress: -1"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.headerTimeout(Duration.ZERO),
                        "edge.headerTimeout: PT0S (expected: > 0)"),
                Arguments.of((UnaryOperator<EdgeConfig.Builder>) b -> b.bodyTimeout(null),
                        "edge.bodyTimeout: missing"));
    }

    @Test
    void thePublicPortsBoundsComeFromTheEnvironment() {
        EdgeConfig c = ConfigLoader.load(null, java.util.Map.of("GATEWAY_EDGE_MAX_BODY_BYTES_IN_FLIGHT", "33554432",
                "GATEWAY_EDGE_MAX_BODY_BYTES_IN_FLIGHT_PER_ADDRESS", "8388608", "GATEWAY_EDGE_HEADER_TIMEOUT", "5s",
                "GATEWAY_EDGE_BODY_TIMEOUT", "20s", "GATEWAY_EDGE_MAX_CONNECTIONS_PER_ADDRESS", "0")).edge();
        assertThat(c.maxBodyBytesInFlight()).isEqualTo(32L << 20);
        assertThat(c.maxBodyBytesInFlightPerAddress()).isEqualTo(8L << 20);
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(c.maxConnectionsPerAddress()).isZero();
        assertThat(EdgeConfig.defaults()).isEqualTo(ConfigLoader.load(null, java.util.Map.of()).edge()
                .toBuilder().build());
    }

    @ParameterizedTest
    @MethodSource("bad")
    void aBadValueNamesItsSetting(UnaryOperator<EdgeConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(EdgeConfig.defaults().toBuilder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
