package ai.dalsi.gateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpRangesTest {

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8, 10.255.1.2, true",
            "10.0.0.0/8, 11.0.0.1, false",
            "192.0.2.7, 192.0.2.7, true",
            "192.0.2.7, 192.0.2.8, false",
            "192.0.2.7/32, 192.0.2.7, true",
            "0.0.0.0/0, 203.0.113.1, true",
            "2001:db8::/32, 2001:db8:ffff::1, true",
            "2001:db8::/32, 2001:db9::1, false",
            "::1, ::1, true",
            "::1/128, ::2, false",
            "10.0.0.0/8, 2001:db8::1, false",
            "2001:db8::/32, 10.0.0.1, false",
    })
    void matches(String range, String address, boolean expected) {
        IpRanges ranges = IpRanges.parse(List.of(range), "test");
        assertThat(ranges.contains(new InetSocketAddress(IpRanges.parseAddress(address), 0))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"example.com", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "300.1.1.1", "''"})
    void rejectsWhatIsNoAddressOrRangeNamingTheSetting(String bad) {
        assertThatThrownBy(() -> IpRanges.parse(List.of("10.0.0.0/8", bad), "edge.trustedProxies"))
                .hasMessageStartingWith("edge.trustedProxies[1]: ");
    }

    @Test
    void lenientParsingSkipsBadEntriesSoTheyMatchNothing() {
        List<String> skipped = new ArrayList<>();
        IpRanges r = IpRanges.parseLenient(List.of("nonsense", "192.0.2.0/24"), skipped::add);
        assertThat(skipped).containsExactly("nonsense");
        assertThat(r.contains(new InetSocketAddress(IpRanges.parseAddress("192.0.2.1"), 0))).isTrue();
        IpRanges none = IpRanges.parseLenient(List.of("nonsense"), s -> { });
        assertThat(none.isEmpty()).isTrue();
    }
}
