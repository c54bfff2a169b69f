package ai.dalsi.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.proxy.Backend;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.HeaderAllowlist;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code edge} and {@code proxy} sections: defaults, file, environment, and errors naming the setting. */
class EdgeAndProxySectionsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheRecordsDefaults() {
        GatewayConfig c = ConfigLoader.load(null, Map.of());
        assertThat(c.edge()).isEqualTo(EdgeConfig.defaults());
        assertThat(c.proxy().proxyConfig()).isEqualTo(ai.dalsi.gateway.proxy.ProxyConfig.DEFAULTS);
        BackendRoutes routes = c.proxy().routes();
        assertThat(target(routes, null).baseUrl()).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(target(routes, null).apiKey()).isNull();
        assertThat(routes.models()).isEmpty();
        assertThat(routes.defaultGroup().forwardHeaders()).isEqualTo(HeaderAllowlist.DEFAULT);
    }

    private static BackendTarget target(BackendRoutes routes, String model) {
        return routes.groupFor(model).backends().get(0).target();
    }

    @Test
    void edgeSettingsFromFileAndEnvironment() throws IOException {
        Path f = write("""
                edge:
                  host: "::"
                  servedEnvironments: [production, development]
                  trustedProxies: [10.0.0.0/8, "2001:db8::/32"]
                  shutdownGracePeriod: 30s
                """);
        GatewayConfig c = ConfigLoader.load(f, Map.of("GATEWAY_HTTP_PORT", "9090",
                "GATEWAY_EDGE_KEY_CACHE_REFRESH", "45s"));
        assertThat(c.edge().host()).isEqualTo("::");
        assertThat(c.edge().port()).isEqualTo(9090);
        assertThat(c.edge().servedEnvironments()).containsExactlyInAnyOrder(KeyEnvironment.PRODUCTION,
                KeyEnvironment.DEVELOPMENT);
        assertThat(c.edge().trustedProxies()).containsExactly("10.0.0.0/8", "2001:db8::/32");
        assertThat(c.edge().shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.edge().keyCacheRefresh()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void listsFromTheEnvironmentAreCommaSeparated() {
        GatewayConfig c = ConfigLoader.load(null, Map.of(
                "GATEWAY_EDGE_SERVED_ENVIRONMENTS", "development",
                "GATEWAY_EDGE_TRUSTED_PROXIES", "192.168.0.0/16, 127.0.0.1"));
        assertThat(c.edge().servedEnvironments()).isEqualTo(Set.of(KeyEnvironment.DEVELOPMENT));
        assertThat(c.edge().trustedProxies()).containsExactly("192.168.0.0/16", "127.0.0.1");
    }

    @Test
    void backendAndPerModelOverrides() throws IOException {
        Path f = write("""
                proxy:
                  models:
                    dalsi-aivi:
                      url: http://vision.internal:8000/openai
                      apiKey: vision-upstream-key
                    dalsi-ai:
                      url: http://text.internal:8000
                  firstByteTimeout: 90s
                """);
        GatewayConfig c = ConfigLoader.load(f, Map.of(
                "GATEWAY_BACKEND_URL", "http://models.internal:9000",
                "GATEWAY_BACKEND_API_KEY", "default-upstream-key"));
        BackendRoutes routes = c.proxy().routes();
        assertThat(target(routes, "other").baseUrl()).isEqualTo(URI.create("http://models.internal:9000"));
        assertThat(target(routes, "other").apiKey()).isEqualTo("default-upstream-key");
        assertThat(target(routes, "dalsi-aivi").baseUrl()).isEqualTo(URI.create("http://vision.internal:8000/openai"));
        assertThat(target(routes, "dalsi-aivi").apiKey()).isEqualTo("vision-upstream-key");
        assertThat(target(routes, "dalsi-ai").apiKey()).as("an override names its own key or none").isNull();
        assertThat(c.proxy().proxyConfig().firstByteTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.toString()).doesNotContain("vision-upstream-key").doesNotContain("default-upstream-key")
                .contains("backendApiKey=***");
    }

    @Test
    void perModelOverridesFromTheEnvironmentAsJson() {
        GatewayConfig c = ConfigLoader.load(null, Map.of("GATEWAY_PROXY_MODELS",
                "{\"dalsi-aivi\": {\"url\": \"http://10.1.2.3:8000\"}}"));
        assertThat(target(c.proxy().routes(), "dalsi-aivi").baseUrl()).isEqualTo(URI.create("http://10.1.2.3:8000"));
    }

    @Test
    void severalBackendsPerModelWithKeysFromFilesWeightsPrioritiesAliasesAndHeaders() throws IOException {
        Path keyFile = dir.resolve("llm.key");
        Files.writeString(keyFile, "sk-from-a-file\n");
        GatewayConfig c = ConfigLoader.load(null, Map.of("GATEWAY_PROXY_MODELS", """
                {"dalsi-ai": {"backends": [
                    {"url": "http://127.0.0.1:9001"},
                    {"url": "https://llm.internal:8443/v", "apiKeyFile": "%s", "weight": 2, "priority": 1,
                     "model": "provider-model"}],
                  "forwardHeaders": ["content-type", "x-sim-*"]}}""".formatted(keyFile),
                "GATEWAY_PROXY_FORWARD_HEADERS", "content-type,openai-beta",
                "GATEWAY_PROXY_TRUSTED_CA_FILE", keyFile.toString(),
                "GATEWAY_PROXY_MAX_ATTEMPTS", "2"));
        BackendRoutes routes = c.proxy().routes();
        BackendGroup ai = routes.groupFor("dalsi-ai");
        assertThat(ai.backends()).hasSize(2);
        Backend second = ai.backends().get(1);
        assertThat(second.target().secure()).isTrue();
        assertThat(second.target().apiKey()).isEqualTo("sk-from-a-file");
        assertThat(second.weight()).isEqualTo(2);
        assertThat(second.priority()).isEqualTo(1);
        assertThat(second.upstreamModel()).isEqualTo("provider-model");
        assertThat(ai.backends().get(0)).isEqualTo(Backend.of(BackendRoutes.target("x", "http://127.0.0.1:9001", null)));
        assertThat(ai.forwardHeaders().entries()).containsExactly("content-type", "x-sim-*");
        assertThat(routes.groupFor("other").forwardHeaders().entries()).containsExactly("content-type", "openai-beta");
        assertThat(c.proxy().proxyConfig().maxAttempts()).isEqualTo(2);
        assertThat(c.proxy().proxyConfig().trustedCaFile()).isEqualTo(keyFile);
        assertThat(c.toString()).doesNotContain("sk-from-a-file");
    }

    @Test
    void theDemosBackendLetsTheSimulatorsHeadersThrough() {
        ProxySettings demo = ConfigLoader.load(null, Map.of()).proxy().withBackend("http://127.0.0.1:7000", List.of("m"));
        assertThat(demo.routes().groupFor("m").forwardHeaders().allows("x-sim-latency-ms")).isTrue();
        assertThat(demo.routes().groupFor("m").forwardHeaders().allows("openai-beta")).isTrue();
        assertThat(demo.routes().groupFor("m").forwardHeaders().allows("x-secret")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "edge:\\n  port: 65536                          | edge.port: 65536 (expected: 0..65535)",
            "edge:\\n  servedEnvironments: [prod]           | edge.servedEnvironments[0]: \"prod\" (expected: production or development)",
            "edge:\\n  servedEnvironments: []               | edge.servedEnvironments: empty (expected: production and/or development)",
            "edge:\\n  trustedProxies: [10.0.0.0/33]        | edge.trustedProxies[0]: 10.0.0.0/33",
            "edge:\\n  shutdownGracePeriod: soon            | edge.shutdownGracePeriod: \"soon\" (expected: a duration such as 250ms, 5s, 2m, 1h, at most 365d)",
            "edge:\\n  hots: 0.0.0.0                        | unknown setting: edge.hots (did you mean edge.host?)",
            "proxy:\\n  backendUrl: ftp://x.internal        | proxy.backendUrl: ftp://x.internal (expected: http(s)://host[:port][/prefix])",
            "proxy:\\n  backendUrl: ''                      | proxy.backendUrl: missing (expected: http(s)://host[:port][/prefix])",
            "proxy:\\n  connectTimeout: 0s                  | proxy.connectTimeout: 0s (expected: > 0)",
            "proxy:\\n  maxIdleConnections: -1              | proxy.maxIdleConnections: -1 (expected: >= 0)",
            "proxy:\\n  models:\\n    m1:\\n      url: ftp://x | proxy.models.m1.url: ftp://x (expected: http(s)://host[:port][/prefix])",
            "proxy:\\n  models:\\n    m1:\\n      backends: [{url: http://a, weight: 0}] | proxy.models.m1.backends[0].weight: 0 (expected: 1..100)",
            "proxy:\\n  models:\\n    m1:\\n      backends: [] | proxy.models.m1.backends: [] (expected: at least one backend)",
            "proxy:\\n  models:\\n    m1:\\n      url: http://a\\n      backends: [{url: http://b}] | proxy.models.m1: both url and backends (expected: one of them)",
            "proxy:\\n  models:\\n    m1:\\n      backends: [{url: http://a, apiKeyFile: /no/such/key}] | proxy.models.m1.backends[0].apiKeyFile: cannot read /no/such/key (NoSuchFileException)",
            "proxy:\\n  forwardHeaders: [x/y]               | proxy.forwardHeaders: \"x/y\" (expected: a header name",
            "proxy:\\n  maxAttempts: 0                      | proxy.maxAttempts: 0 (expected: 1..10)",
            "proxy:\\n  models:\\n    m1:\\n      ulr: http://x | unknown setting: proxy.models.m1.ulr",
            "proxy:\\n  models:\\n    m1:\\n      url: http://a\\n      encoding: p50k | proxy.models.m1.encoding: p50k (expected: cl100k_base or o200k_base)",
            "proxy:\\n  models: [a, b]                      | proxy.models: wrong type (expected: a mapping)",
    })
    void invalidValuesAreNamed(String yaml, String message) throws IOException {
        Path f = write(yaml.replace("\\n", "\n"));
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of())).isInstanceOf(ConfigException.class)
                .message().startsWith(message);
    }

    @Test
    void invalidEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_HTTP_PORT", "-1")))
                .hasMessage("edge.port: -1 (expected: 0..65535) [from GATEWAY_HTTP_PORT]");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_EDGE_SERVED_ENVIRONMENTS", "staging")))
                .hasMessage("edge.servedEnvironments[0]: \"staging\" (expected: production or development)"
                        + " [from GATEWAY_EDGE_SERVED_ENVIRONMENTS]");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_BACKEND_URL", "localhost:9000")))
                .message().startsWith("proxy.backendUrl: localhost:9000").endsWith("[from GATEWAY_BACKEND_URL]");
    }

    @Test
    void anUpstreamKeyWithALineBreakIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GATEWAY_BACKEND_API_KEY", "sk-upstream\nInjected: x")))
                .hasMessage("proxy.backendApiKey: contains a line break (expected: a token, or unset for none)"
                        + " [from GATEWAY_BACKEND_API_KEY]");
    }

    private Path write(String yaml) throws IOException {
        Path f = dir.resolve("gateway.yaml");
        Files.writeString(f, yaml);
        return f;
    }
}
