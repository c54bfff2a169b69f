package ai.dalsi.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientAddressResolverTest {

    private final ClientAddressResolver resolver =
            new ClientAddressResolver(IpRanges.parse(List.of("10.0.0.0/8", "fd00::/8"), "test"));

    private String resolve(String peer, String header, String value) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (header != null) {
            h.add(header, value);
        }
        InetSocketAddress a = resolver.resolve(new InetSocketAddress(IpRanges.parseAddress(peer), 4000), h);
        return NetUtil.toAddressString(a.getAddress());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1 | x-forwarded-for | 203.0.113.9 | 192.0.2.1",
            "10.0.0.1  | x-forwarded-for | 203.0.113.9 | 203.0.113.9",
            "10.0.0.1  | x-forwarded-for | 198.51.100.1, 203.0.113.9, 10.0.0.2 | 203.0.113.9",
            "10.0.0.1  | x-forwarded-for | 10.0.0.3, 10.0.0.2 | 10.0.0.3",
            "10.0.0.1  | x-forwarded-for | 203.0.113.9:5555 | 203.0.113.9",
            "10.0.0.1  | x-forwarded-for | [2001:db8::1]:80 | 2001:db8::1",
            "10.0.0.1  | x-forwarded-for | 2001:db8::1 | 2001:db8::1",
            "10.0.0.1  | x-forwarded-for | junk, 203.0.113.9 | 203.0.113.9",
            "10.0.0.1  | x-forwarded-for | 203.0.113.9, junk | 10.0.0.1",
            "fd00::1   | forwarded | for=192.0.2.60;proto=http;by=203.0.113.43 | 192.0.2.60",
            "fd00::1   | forwarded | for=192.0.2.43, for=\"[2001:db8:cafe::17]:4711\" | 2001:db8:cafe::17",
            "10.0.0.1  | forwarded | for=unknown | 10.0.0.1",
            "2001:db8::5 | forwarded | for=192.0.2.60 | 2001:db8::5",
            "10.0.0.1  | x-other | 203.0.113.9 | 10.0.0.1",
    })
    void resolves(String peer, String header, String value, String expected) {
        assertThat(resolve(peer, header, value)).isEqualTo(expected);
    }
}
