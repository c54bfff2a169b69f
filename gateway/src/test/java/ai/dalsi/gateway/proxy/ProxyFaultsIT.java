package ai.dalsi.gateway.proxy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.testing.NettyLeakExtension;
import ai.dalsi.metering.TokenUsage;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backend faults before the response headers, made by WireMock on port 0: what the client gets
 * (the edge stand-in renders the proxy's gateway error) and what the outcome says.
 */
@ExtendWith(NettyLeakExtension.class)
class ProxyFaultsIT {

    /** First-byte timeout well above a cold WireMock's first answer on a busy machine. */
    static final ProxyConfig CONFIG = new ProxyConfig(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5),
            Duration.ofSeconds(30), 8, Duration.ofSeconds(30), 1 << 20);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private WireMockServer wiremock;
    private ProxyHarness harness;

    @BeforeEach
    void setUp() throws Exception {
        wiremock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wiremock.start();
        harness = new ProxyHarness(CONFIG, new BackendTarget(URI.create(wiremock.baseUrl() + "/base"), "upstream-key"),
                ProxyHarness.Transport.NIO);
    }

    @AfterEach
    void tearDown() {
        harness.close();
        wiremock.stop();
        client.close();
    }

    private HttpResponse<String> call() throws Exception {
        return client.send(HttpRequest.newBuilder(harness.uri("/v1/chat/completions"))
                .header("Authorization", "Bearer dsk_live_clientkey")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertGatewayError(HttpResponse<String> response, ErrorCode code) {
        assertThat(response.statusCode()).isEqualTo(code.status().code());
        assertThat(response.body()).contains(code.code());
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome).isInstanceOfSatisfying(ProxyOutcome.Unanswered.class, u -> assertThat(u.error()).isEqualTo(code));
        assertThat(outcome.status()).isEqualTo(code.status().code());
        assertThat(outcome.responseBytes()).isZero();
        assertThat(outcome.errorMessage()).isNotBlank();
    }

    @Test
    void aRefusedConnectionIs502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        harness.target = new BackendTarget(URI.create("http://127.0.0.1:" + closedPort), null);
        assertGatewayError(call(), ErrorCode.UPSTREAM_ERROR);
        assertThat(harness.listener.only().errorMessage()).contains("refused");
    }

    @Test
    void aConnectionResetBeforeTheHeadersIs502() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertGatewayError(call(), ErrorCode.UPSTREAM_ERROR);
        wiremock.verify(1, postRequestedFor(urlEqualTo("/base/v1/chat/completions")));
    }

    @Test
    void anEmptyResponseIs502AndTheRequestIsNotSentAgain() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions")).willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertGatewayError(call(), ErrorCode.UPSTREAM_ERROR);
        wiremock.verify(1, postRequestedFor(urlEqualTo("/base/v1/chat/completions")));
    }

    @Test
    void garbageInsteadOfAResponseIs502() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions")).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        assertGatewayError(call(), ErrorCode.UPSTREAM_ERROR);
    }

    @Test
    void aBackendSlowerThanTheFirstByteTimeoutIs504() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions"))
                .willReturn(aResponse().withFixedDelay(8000).withStatus(200).withBody("{}")));
        assertGatewayError(call(), ErrorCode.UPSTREAM_TIMEOUT);
        assertThat(harness.listener.only().errorMessage()).contains("3s");
    }

    @Test
    void aBackendErrorIsPassedThroughAsTheBackendSentIt() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}")));
        HttpResponse<String> response = call();
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("invalid_request_error");
        ProxyOutcome outcome = harness.listener.only();
        assertThat(outcome.status()).isEqualTo(400);
        assertThat(outcome).isInstanceOf(ProxyOutcome.Completed.class);
        assertThat(outcome.usage()).isNull();
    }

    @Test
    void theBackendSeesItsKeyAndPathAndNeverTheClientsKey() throws Exception {
        wiremock.stubFor(post(urlEqualTo("/base/v1/chat/completions")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}")));
        assertThat(call().statusCode()).isEqualTo(200);
        var requests = wiremock.findAll(postRequestedFor(urlEqualTo("/base/v1/chat/completions")));
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getHeaders().getHeader("Authorization").values()).containsExactly("Bearer upstream-key");
        assertThat(requests.get(0).getBodyAsString()).isEqualTo("{\"model\":\"m\"}");
        assertThat(harness.listener.only().usage()).isEqualTo(TokenUsage.reported(3, 4, 0));
    }
}
