package ai.dalsi.gateway.e2e;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.NettyBackendProxy;
import ai.dalsi.gateway.proxy.ProxyConfig;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backend faults through the real proxy, from WireMock and a closed port: refused or broken is 502
 * {@code upstream_error}, too slow is 504 {@code upstream_timeout}; each metered once.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpstreamFaultsIT {

    private static final String RESET_MODEL = "dalsi-code";
    private static final String SLOW_MODEL = "dalsi-premium";
    private static final String CLOSED_MODEL = "dalsi-image";

    private final WireMockServer wiremock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final NettyBackendProxy proxy;
    private final TestEdge edge;
    private final String key;

    UpstreamFaultsIT(TestDatabase db) throws Exception {
        wiremock.start();
        wiremock.stubFor(post(urlPathEqualTo("/reset/v1/chat/completions"))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        wiremock.stubFor(post(urlPathEqualTo("/slow/v1/chat/completions"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(5_000).withBody("{}")));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        URI base = URI.create("http://127.0.0.1:" + wiremock.port());
        URI closed = URI.create("http://127.0.0.1:" + closedPort);
        // The first byte may take 2 s: far below the slow backend's 5 s, and far above what a cold
        // WireMock on a busy machine takes to reset a connection (500 ms was not, under load).
        proxy = new NettyBackendProxy(ProxyConfig.DEFAULTS.withTimeouts(Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(10)));
        edge = TestEdge.builder(db).proxy(proxy).backends(model -> switch (model) {
            case RESET_MODEL -> BackendGroup.single(new BackendTarget(base.resolve("/reset"), null));
            case SLOW_MODEL -> BackendGroup.single(new BackendTarget(base.resolve("/slow"), null));
            case CLOSED_MODEL -> BackendGroup.single(new BackendTarget(closed, null));
            default -> null;
        }).start();
        key = edge.seed.key(KeySpec.chat().withTier("pro"));
    }

    @AfterAll
    void stop() {
        edge.close();
        proxy.close();
        wiremock.stop();
    }

    private UsageEvent metered(java.net.http.HttpResponse<?> r, int status) {
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(status);
        assertThat(e.costUsd()).isZero();
        return e;
    }

    @Test
    void aConnectionResetIs502() {
        var r = edge.chat(key, RESET_MODEL);
        error(r, 502, "upstream_error", "api_error");
        metered(r, 502);
    }

    @Test
    void aRefusedConnectionIs502() {
        var r = edge.chat(key, CLOSED_MODEL);
        error(r, 502, "upstream_error", "api_error");
        metered(r, 502);
    }

    @Test
    void noFirstByteInTimeIs504() {
        var r = edge.chat(key, SLOW_MODEL);
        error(r, 504, "upstream_timeout", "api_error");
        metered(r, 504);
    }

    @Test
    void aModelNoBackendServesIs503() {
        var r = edge.chat(key, CHAT_MODEL);
        error(r, 503, "service_unavailable", "api_error");
        metered(r, 503);
    }
}
