package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyConfigTest {

    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void badValuesNameTheirSetting() {
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withTimeouts(Duration.ZERO, S, S, S))
                .hasMessage("proxy.connectTimeout: 0s (expected: > 0)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withTimeouts(S, Duration.ofMillis(-250), S, S))
                .hasMessage("proxy.firstByteTimeout: -250ms (expected: > 0)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withTimeouts(S, S, null, S))
                .hasMessage("proxy.idleTimeout: missing (expected: a duration > 0)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withTimeouts(S, S, S, Duration.ZERO))
                .hasMessage("proxy.totalTimeout: 0s (expected: > 0)");
        assertThatThrownBy(() -> new ProxyConfig(S, S, S, S, -1, S, 1))
                .hasMessage("proxy.maxIdleConnections: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new ProxyConfig(S, S, S, S, 1, Duration.ZERO, 1))
                .hasMessage("proxy.idleConnectionTimeout: 0s (expected: > 0)");
        assertThatThrownBy(() -> new ProxyConfig(S, S, S, S, 1, S, 0))
                .hasMessage("proxy.usageScanLimitBytes: 0 (expected: > 0)");
    }

    @Test
    void routesPickTheModelsBackendOrTheDefault() {
        BackendTarget def = BackendRoutes.target("proxy.backend.url", "http://127.0.0.1:9000", null);
        BackendTarget big = BackendRoutes.target("proxy.models.big.url", "http://models.internal/openai/", "up-key");
        BackendGroup defaults = BackendGroup.single(def);
        BackendGroup bigs = BackendGroup.single(big);
        BackendRoutes routes = new BackendRoutes(defaults, Map.of("big-model", bigs));
        assertThat(routes.groupFor("big-model")).isSameAs(bigs);
        assertThat(routes.groupFor("other")).isSameAs(defaults);
        assertThat(routes.groupFor(null)).isSameAs(defaults);
        assertThat(routes.targets()).containsExactly(def, big);
        assertThat(big.pathPrefix()).isEqualTo("/openai");
        assertThat(big.hostHeader()).isEqualTo("models.internal");
        assertThat(big.port()).isEqualTo(80);
        assertThat(def.pathPrefix()).isEmpty();
        assertThat(def.hostHeader()).isEqualTo("127.0.0.1:9000");
        assertThat(big.toString()).doesNotContain("up-key");
        assertThat(big.name()).isEqualTo("http://models.internal:80/openai");
    }

    @Test
    void httpsBackendsDefaultToPort443AndNameTheirHostForTls() {
        BackendTarget tls = BackendRoutes.target("proxy.backendUrl", "https://llm.example/v", "k");
        assertThat(tls.secure()).isTrue();
        assertThat(tls.port()).isEqualTo(443);
        assertThat(tls.hostHeader()).isEqualTo("llm.example");
        assertThat(tls.host()).isEqualTo("llm.example");
        BackendTarget v6 = BackendRoutes.target("proxy.backendUrl", "https://[::1]:8443", null);
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.hostHeader()).isEqualTo("[::1]:8443");
        assertThat(v6.name()).isEqualTo("https://[::1]:8443");
    }

    @Test
    void retriesAndCircuitsAreBounded() {
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withRetries(0, 5, S))
                .hasMessage("proxy.maxAttempts: 0 (expected: 1..10)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withRetries(3, 0, S))
                .hasMessage("proxy.circuitFailureThreshold: 0 (expected: 1..1000)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withRetries(3, 5, Duration.ZERO))
                .hasMessage("proxy.circuitOpenDuration: 0s (expected: > 0)");
        assertThatThrownBy(() -> ProxyConfig.DEFAULTS.withTrustedCaFile(java.nio.file.Path.of("/no/such/ca.pem")))
                .hasMessage("proxy.trustedCaFile: /no/such/ca.pem (expected: a readable PEM file of CA certificates)");
    }

    @Test
    void badRoutesNameTheirSetting() {
        assertThatThrownBy(() -> BackendRoutes.target("proxy.models.x.url", "ftp://a", null))
                .hasMessage("proxy.models.x.url: ftp://a (expected: http(s)://host[:port][/prefix])");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", " ", null))
                .hasMessage("proxy.backend.url: missing (expected: http(s)://host[:port][/prefix])");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", "http://a b", null))
                .hasMessageStartingWith("proxy.backend.url: http://a b");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", "http://a/?q=1", null))
                .hasMessageContaining("expected: http(s)://host[:port][/prefix]");
        assertThatThrownBy(() -> new BackendTarget(URI.create("http://a"), "key\r\nX-Evil: 1"))
                .hasMessageNotContaining("Evil");
        assertThatThrownBy(() -> new BackendRoutes(null, Map.of()))
                .hasMessage("proxy.backendUrl: missing (expected: http(s)://host[:port][/prefix])");
    }
}
