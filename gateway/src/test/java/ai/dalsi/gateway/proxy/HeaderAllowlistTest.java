package ai.dalsi.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HeaderAllowlistTest {

    private static final HeaderAllowlist WITH_SIM = HeaderAllowlist.DEFAULT.with(List.of("x-sim-*"));

    @ParameterizedTest
    @CsvSource({
            "Content-Type, true", "accept, true", "OpenAI-Beta, true", "traceparent, true", "X-B3-TraceId, true",
            "User-Agent, true", "x-sim-latency-ms, true", "x-sim-, false", "x-secret, false", "Cookie, false",
            "Authorization, false", "x-api-key, false", "Accept-Encoding, false", "OpenAI-Organization, false"})
    void namesAndPrefixesMatchWithoutRegardToCase(String header, boolean allowed) {
        assertThat(WITH_SIM.allows(header)).isEqualTo(allowed);
    }

    @Test
    void credentialsAndHopByHopHeadersNeverPassEvenWhenListed() {
        HeaderAllowlist careless = HeaderAllowlist.of(List.of("authorization", "connection", "x-*", "content-length"));
        assertThat(careless.allows("Authorization")).isFalse();
        assertThat(careless.allows("Connection")).isFalse();
        assertThat(careless.allows("Content-Length")).isFalse();
        assertThat(careless.allows("x-api-key")).isFalse();
        assertThat(careless.allows("x-request-id")).isFalse();
        assertThat(careless.allows("x-trace")).isTrue();
    }

    @Test
    void forwardableHeadersAreANewObjectWithOnlyWhatIsAllowedAndNothingNamedInConnection() {
        HttpHeaders client = new DefaultHttpHeaders()
                .add("Content-Type", "application/json").add("Connection", "keep-alive, x-sim-hop")
                .add("x-sim-hop", "1").add("x-sim-status", "503").add("x-secret", "no");
        HttpHeaders out = ProxyHeaders.forwardable(client, WITH_SIM);
        assertThat(out.names()).containsExactlyInAnyOrder("Content-Type", "x-sim-status");
        assertThat(client.contains("x-secret")).as("the client's headers are left alone").isTrue();
    }

    @ParameterizedTest
    @CsvSource({"'x y'", "'a:b'", "''", "'*'", "'x*y*'"})
    void entriesThatAreNotHeaderNamesAreRefused(String entry) {
        assertThatThrownBy(() -> HeaderAllowlist.of(List.of(entry))).hasMessageContaining("expected: a header name");
    }
}
