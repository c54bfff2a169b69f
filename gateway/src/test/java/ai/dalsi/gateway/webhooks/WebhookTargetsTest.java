package ai.dalsi.gateway.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which webhook URLs may be saved and called, and which address a delivery connects to. */
class WebhookTargetsTest {

    /** A resolver from a table; anything else does not resolve. */
    static WebhookTargets.Resolver table(Map<String, String> names) {
        return host -> {
            String a = names.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            String[] parts = a.split(",");
            InetAddress[] out = new InetAddress[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = InetAddress.getByName(parts[i]); // literals only: no lookup
            }
            return out;
        };
    }

    private static final WebhookTargets.Resolver DNS = table(Map.of(
            "hooks.example.com", "93.184.215.14",
            "localhost", "127.0.0.1,::1",
            "metadata.google.internal", "169.254.169.254",
            "mixed.example.com", "93.184.215.14,10.1.2.3",
            "v6.example.com", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"));

    private final WebhookTargets strict = new WebhookTargets(false, false, DNS);
    private final WebhookTargets http = new WebhookTargets(true, false, DNS);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "https://hooks.example.com/k            | ",
        "https://93.184.215.14:8443/k?x=1        | ",
        "https://[2606:4700::6810:84e5]/k        | ",
        "https://v6.example.com/k                | ",
        "https://not-yet-registered.example/k    | ",
        "http://hooks.example.com/k              | is not https",
        "ftp://hooks.example.com/k               | is not an http:// or https:// URL",
        "https://user:pw@hooks.example.com/k     | has credentials",
        "https://127.0.0.1/k                     | points to 127.0.0.1, a loopback address",
        "https://127.1.2.3/k                     | a loopback address",
        "https://[::1]/k                         | points to ::1, a loopback address",
        "https://[::ffff:127.0.0.1]/k            | points to 127.0.0.1, a loopback address",
        "https://0.0.0.0/k                       | an unspecified address",
        "https://10.0.0.8/k                      | a private address",
        "https://172.31.255.1/k                  | a private address",
        "https://192.168.1.1/k                   | a private address",
        "https://169.254.169.254/latest/meta-data| a cloud metadata address",
        "https://[fd00:ec2::254]/k               | a cloud metadata address",
        "https://168.63.129.16/k                 | a cloud metadata address",
        "https://169.254.10.10/k                 | a link-local address",
        "https://[fe80::1]/k                     | a link-local address",
        "https://100.64.0.1/k                    | a carrier-grade NAT address",
        "https://[fd12:3456::1]/k                | a unique-local address",
        "https://224.0.0.1/k                     | a multicast address",
        "https://[ff02::1]/k                     | a multicast address",
        "https://255.255.255.255/k               | a broadcast address",
        "https://[64:ff9b::7f00:1]/k             | an IPv4-embedding IPv6 address",
        "https://[2002:7f00:1::]/k               | an IPv4-embedding IPv6 address",
        "https://203.0.113.9/k                   | a reserved address",
        "https://localhost:8443/k                | resolves to 127.0.0.1, a loopback address",
        "https://metadata.google.internal/x      | resolves to 169.254.169.254, a cloud metadata address",
        "https://mixed.example.com/k             | resolves to 10.1.2.3, a private address",
    })
    void savingChecksSchemeAndAddress(String url, String refusal) {
        WebhookTargets.Verdict v = strict.check(url);
        if (refusal == null) {
            assertThat(v).isEqualTo(new WebhookTargets.Accepted(url));
        } else {
            assertThat(v).isInstanceOfSatisfying(WebhookTargets.Refused.class,
                    r -> assertThat(r.reason()).contains(refusal));
        }
    }

    @Test
    void refusalsSayWhatIsExpectedAndWhichSettingAllowsIt() {
        assertThat(((WebhookTargets.Refused) http.check("http://127.0.0.1/hook")).reason()).isEqualTo(
                "points to 127.0.0.1, a loopback address (expected: an address on the public internet;"
                        + " webhooks.allowPrivateTargets allows others)");
        assertThat(((WebhookTargets.Refused) strict.check("http://hooks.example.com/")).reason())
                .isEqualTo("is not https (expected: an https:// URL; webhooks.allowHttp allows http://)");
    }

    @Test
    void allowHttpAndAllowPrivateTargetsLiftTheirRulesOnly() {
        assertThat(http.check("http://hooks.example.com/k")).isInstanceOf(WebhookTargets.Accepted.class);
        assertThat(http.check("http://169.254.169.254/")).isInstanceOf(WebhookTargets.Refused.class);
        WebhookTargets open = new WebhookTargets(false, true, DNS);
        assertThat(open.check("https://127.0.0.1/k")).isInstanceOf(WebhookTargets.Accepted.class);
        assertThat(open.check("http://127.0.0.1/k")).isInstanceOf(WebhookTargets.Refused.class);
        assertThat(new WebhookTargets(true, true, DNS).check("http://169.254.169.254/"))
                .isInstanceOf(WebhookTargets.Accepted.class);
    }

    @Test
    void sendingConnectsToTheCheckedAddressAndNamesTheHost() {
        var target = (WebhookTargets.Reachable) http.resolve("https://hooks.example.com/k?a=b");
        assertThat(target.address().getAddress().getHostAddress()).isEqualTo("93.184.215.14");
        assertThat(target.address().getPort()).isEqualTo(443);
        assertThat(target.host()).isEqualTo("hooks.example.com");
        assertThat(target.tls()).isTrue();

        var v6 = (WebhookTargets.Reachable) http.resolve("http://[2606:4700::6810:84e5]:8080/k");
        assertThat(v6.host()).isEqualTo("2606:4700::6810:84e5");
        assertThat(v6.port()).isEqualTo(8080);
        assertThat(v6.tls()).isFalse();
    }

    @Test
    void sendingRefusesWhatTheNameResolvesToNowAndReportsNamesThatDoNotResolve() {
        assertThat(http.resolve("http://localhost:9999/k")).isEqualTo(new WebhookTargets.Blocked(
                "resolves to 127.0.0.1, a loopback address (expected: an address on the public internet;"
                        + " webhooks.allowPrivateTargets allows others)"));
        assertThat(http.resolve("https://nowhere.example/k"))
                .isEqualTo(new WebhookTargets.Unresolvable("cannot resolve nowhere.example"));
        assertThat(strict.resolve("http://hooks.example.com/k")).isInstanceOf(WebhookTargets.Blocked.class);
        var allowed = new WebhookTargets(true, true, DNS).resolve("http://localhost:9999/k");
        assertThat(allowed).isInstanceOfSatisfying(WebhookTargets.Reachable.class,
                r -> assertThat(r.address().getAddress().isLoopbackAddress()).isTrue());
    }
}
