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
        BackendRoutes routes = new BackendRoutes(def, Map.of("big-model", big));
        assertThat(routes.targetFor("big-model")).isSameAs(big);
        assertThat(routes.targetFor("other")).isSameAs(def);
        assertThat(routes.targetFor(null)).isSameAs(def);
        assertThat(big.pathPrefix()).isEqualTo("/openai");
        assertThat(big.hostHeader()).isEqualTo("models.internal");
        assertThat(big.port()).isEqualTo(80);
        assertThat(def.pathPrefix()).isEmpty();
        assertThat(def.hostHeader()).isEqualTo("127.0.0.1:9000");
        assertThat(big.toString()).doesNotContain("up-key");
    }

    @Test
    void badRoutesNameTheirSetting() {
        assertThatThrownBy(() -> BackendRoutes.target("proxy.models.x.url", "https://a", null))
                .hasMessage("proxy.models.x.url: url: https://a (expected: http://host[:port][/prefix])");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", " ", null))
                .hasMessage("proxy.backend.url: missing (expected: http://host[:port][/prefix])");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", "http://a b", null))
                .hasMessageStartingWith("proxy.backend.url: http://a b");
        assertThatThrownBy(() -> BackendRoutes.target("proxy.backend.url", "http://a/?q=1", null))
                .hasMessageContaining("expected: http://host[:port][/prefix]");
        assertThatThrownBy(() -> new BackendTarget(URI.create("http://a"), "key\r\nX-Evil: 1"))
                .hasMessageNotContaining("Evil");
        assertThatThrownBy(() -> new BackendRoutes(null, Map.of()))
                .hasMessage("proxy.backend.url: missing (expected: http://host[:port][/prefix])");
    }
}
