package ai.dalsi.gateway.proxy;

import static ai.dalsi.gateway.testing.Responses.json;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.simulator.SimulatedBackend;
import ai.dalsi.gateway.simulator.SimulatorConfig;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestCertificates;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * An https backend whose certificate a CA made by the test issued (for {@code localhost}): the
 * gateway calls it when {@code proxy.trustedCaFile} names that CA, and refuses it (502, a clear
 * log line, nothing sent) without the file, or under a name the certificate does not carry.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsBackendIT {

    private final Path dir;
    private final TestCertificates certificates;
    private final SimulatedBackend backend;
    private final TestDatabase db;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private NettyBackendProxy proxy;
    private TestEdge edge;
    private String key;

    TlsBackendIT(TestDatabase db) throws Exception {
        this.db = db;
        this.dir = Files.createTempDirectory("tls-backend");
        this.certificates = TestCertificates.issue(dir, "localhost");
        this.backend = SimulatedBackend.startTls(SimulatorConfig.builder().host("127.0.0.1").port(0)
                .latency(Duration.ZERO).completionTokens(4).build(), certificates.serverContext());
    }

    @BeforeEach
    void listen() {
        log.start();
        ((Logger) LoggerFactory.getLogger(Attempt.class)).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(Attempt.class)).detachAppender(log);
        log.list.clear();
        if (edge != null) {
            edge.close();
            proxy.close();
            edge = null;
        }
    }

    @AfterAll
    void close() throws Exception {
        backend.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    private void start(ProxyConfig config, String baseUrl) {
        proxy = new NettyBackendProxy(config);
        BackendRoutes routes = BackendRoutes.single(new BackendTarget(URI.create(baseUrl), "upstream-secret"));
        edge = TestEdge.builder(db).seedCatalog(key == null).proxy(proxy).backends(routes::groupFor).start();
        if (key == null) {
            key = edge.seed.key(KeySpec.chat());
        }
    }

    private HttpResponse<String> chat() {
        return edge.chat(key, EdgeSeed.CHAT_MODEL);
    }

    private List<String> tlsLines() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains("TLS handshake failed"))
                .toList();
    }

    @Test
    void aBackendWhoseCaIsTrustedIsCalledOverTls() {
        start(ProxyConfig.DEFAULTS.withTrustedCaFile(certificates.caPem()), "https://localhost:" + backend.port());
        long before = backend.stats().totalRequests();
        HttpResponse<String> r = chat();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r.body()).at("/usage/completion_tokens").asInt()).isEqualTo(4);
        assertThat(backend.stats().totalRequests()).isEqualTo(before + 1);
        assertThat(backend.stats().lastRequest().orElseThrow().header("authorization")).isEqualTo("Bearer upstream-secret");
        assertThat(backend.stats().lastRequest().orElseThrow().header("host")).isEqualTo("localhost:" + backend.port());
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.usage().completionTokens()).isEqualTo(4);
        assertThat(e.backend()).isEqualTo("https://localhost:" + backend.port());
        assertThat(tlsLines()).isEmpty();
    }

    @Test
    void withoutTheCaTheBackendIsRefusedWith502AndALogLineSaysWhy() {
        start(ProxyConfig.DEFAULTS, "https://localhost:" + backend.port());
        long before = backend.stats().totalRequests();
        HttpResponse<String> r = chat();
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("upstream_error");
        assertThat(backend.stats().totalRequests()).as("nothing was sent").isEqualTo(before);
        assertThat(tlsLines()).singleElement().asString()
                .contains("backend https://localhost:" + backend.port())
                .contains("PKIX path building failed");
        UsageEvent e = edge.sink.only(requestId(r));
        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.errorMessage()).isNotNull();
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsRefusedWith502EvenWithTheCa() {
        start(ProxyConfig.DEFAULTS.withTrustedCaFile(certificates.caPem()), "https://127.0.0.1:" + backend.port());
        long before = backend.stats().totalRequests();
        HttpResponse<String> r = chat();
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(backend.stats().totalRequests()).isEqualTo(before);
        assertThat(tlsLines()).singleElement().asString()
                .contains("backend https://127.0.0.1:" + backend.port())
                .containsIgnoringCase("127.0.0.1");
    }
}
