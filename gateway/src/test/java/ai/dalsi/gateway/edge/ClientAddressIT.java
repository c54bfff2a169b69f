package ai.dalsi.gateway.edge;

import static ai.dalsi.gateway.testing.EdgeSeed.CHAT_MODEL;
import static ai.dalsi.gateway.testing.Responses.error;
import static ai.dalsi.gateway.testing.Responses.requestId;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.KeySpec;
import ai.dalsi.gateway.testing.TestEdge;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IP allowlists (IPv4 and IPv6, addresses and CIDR ranges) and trusted proxies: connections come
 * from 127.0.0.1 (a trusted proxy here) and ::1 (not trusted); X-Forwarded-For and Forwarded from
 * the trusted peer present other client addresses.
 */
@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientAddressIT {

    private final TestEdge edge;

    ClientAddressIT(TestDatabase db) {
        edge = TestEdge.builder(db).config(c -> c.trustedProxies(List.of("127.0.0.0/8", "10.0.0.0/8"))).start();
    }

    @AfterAll
    void stop() {
        edge.close();
    }

    private HttpResponse<String> chat(URI uri, String key, String header, String value) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + CHAT_MODEL + "\"}"));
        if (header != null) {
            b.header(header, value);
        }
        return edge.send(b.build());
    }

    private HttpResponse<String> viaTrustedProxy(String key, String forwardedFor) {
        return chat(edge.uri("/v1/chat/completions"), key, "X-Forwarded-For", forwardedFor);
    }

    private String clientIpOf(HttpResponse<?> r) {
        return edge.sink.only(requestId(r)).clientIp();
    }

    @Test
    void ipv4RangeAllowsInsideAndDeniesOutside() {
        String key = edge.seed.key(KeySpec.chat().withAllowedIps("203.0.113.0/24", "192.0.2.10"));
        var inside = viaTrustedProxy(key, "203.0.113.9");
        assertThat(inside.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(inside)).isEqualTo("203.0.113.9");
        assertThat(viaTrustedProxy(key, "192.0.2.10").statusCode()).isEqualTo(200);
        var outside = viaTrustedProxy(key, "198.51.100.1");
        error(outside, 403, "ip_not_allowed", "permission_error");
        assertThat(clientIpOf(outside)).isEqualTo("198.51.100.1");
        error(viaTrustedProxy(key, "192.0.2.11"), 403, "ip_not_allowed", "permission_error");
    }

    @Test
    void ipv6RangeAllowsInsideAndDeniesOutside() {
        String key = edge.seed.key(KeySpec.chat().withAllowedIps("2001:db8::/32"));
        var inside = viaTrustedProxy(key, "2001:db8:1::5");
        assertThat(inside.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(inside)).isEqualTo("2001:db8:1::5");
        error(viaTrustedProxy(key, "2001:db9::1"), 403, "ip_not_allowed", "permission_error");
        error(viaTrustedProxy(key, "203.0.113.9"), 403, "ip_not_allowed", "permission_error");
    }

    @Test
    void directConnectionsFromLoopbackV4AndV6() {
        String v6Only = edge.seed.key(KeySpec.chat().withAllowedIps("::1"));
        var fromV6 = chat(edge.uri6("/v1/chat/completions"), v6Only, null, null);
        assertThat(fromV6.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(fromV6)).isEqualTo("::1");
        error(chat(edge.uri("/v1/chat/completions"), v6Only, null, null), 403, "ip_not_allowed", "permission_error");

        String v4Only = edge.seed.key(KeySpec.chat().withAllowedIps("127.0.0.1/32"));
        var fromV4 = chat(edge.uri("/v1/chat/completions"), v4Only, null, null);
        assertThat(fromV4.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(fromV4)).isEqualTo("127.0.0.1");
        error(chat(edge.uri6("/v1/chat/completions"), v4Only, null, null), 403, "ip_not_allowed", "permission_error");
    }

    @Test
    void forwardedForIsIgnoredFromAnUntrustedPeer() {
        String key = edge.seed.key(KeySpec.chat().withAllowedIps("203.0.113.0/24"));
        // ::1 is not a trusted proxy: its X-Forwarded-For proves nothing.
        var r = chat(edge.uri6("/v1/chat/completions"), key, "X-Forwarded-For", "203.0.113.9");
        error(r, 403, "ip_not_allowed", "permission_error");
        assertThat(clientIpOf(r)).isEqualTo("::1");
        var forwarded = chat(edge.uri6("/v1/chat/completions"), key, "Forwarded", "for=203.0.113.9");
        error(forwarded, 403, "ip_not_allowed", "permission_error");
    }

    @Test
    void theRightMostUntrustedAddressIsTheClient() {
        String key = edge.seed.key(KeySpec.chat());
        // 198.51.100.7 was written by the client itself; 10.1.2.3 is our own (trusted) proxy.
        var r = viaTrustedProxy(key, "198.51.100.7, 203.0.113.9, 10.1.2.3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(r)).isEqualTo("203.0.113.9");
        var garbage = viaTrustedProxy(key, "not-an-address");
        assertThat(clientIpOf(garbage)).isEqualTo("127.0.0.1");
    }

    @Test
    void forwardedHeaderFromATrustedPeer() {
        String key = edge.seed.key(KeySpec.chat().withAllowedIps("2001:db8::/32"));
        var r = chat(edge.uri("/v1/chat/completions"), key, "Forwarded", "for=\"[2001:db8::7]:4711\";proto=http");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(clientIpOf(r)).isEqualTo("2001:db8::7");
    }
}
