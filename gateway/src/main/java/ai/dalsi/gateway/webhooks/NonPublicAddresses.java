package ai.dalsi.gateway.webhooks;

import ai.dalsi.gateway.net.IpRanges;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The addresses a webhook must not reach unless {@code webhooks.allowPrivateTargets} is set: every
 * range of the IANA special-purpose registries that is not globally reachable, plus the cloud
 * metadata services that sit on ordinary-looking addresses. Checked in order, so an address gets
 * its most specific name (169.254.169.254 is "a cloud metadata address", not just link-local).
 *
 * <p>IPv6 forms that embed an IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo) are refused as a
 * whole rather than decoded: a webhook receiver has no need for them, and each is a way to reach an
 * IPv4 address through a translator. IPv4-mapped addresses ({@code ::ffff:127.0.0.1}) arrive from
 * Java as the IPv4 address they map, and are classified as such.
 */
final class NonPublicAddresses {

    private record Kind(String name, IpRanges ranges) {
    }

    private static final List<Kind> KINDS = List.of(
            kind("an unspecified address", "0.0.0.0/8", "::/128"),
            kind("a loopback address", "127.0.0.0/8", "::1/128"),
            // AWS, GCP, Azure and OpenStack (169.254.169.254), AWS over IPv6, Azure's wire server,
            // Alibaba, Oracle; the link-local and CGNAT ones would be refused below anyway.
            kind("a cloud metadata address", "169.254.169.254/32", "fd00:ec2::254/128", "168.63.129.16/32",
                    "100.100.100.200/32", "192.0.0.192/32"),
            kind("a private address", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
            kind("a link-local address", "169.254.0.0/16", "fe80::/10"),
            kind("a carrier-grade NAT address", "100.64.0.0/10"),
            kind("a unique-local address", "fc00::/7"),
            kind("a multicast address", "224.0.0.0/4", "ff00::/8"),
            kind("a broadcast address", "255.255.255.255/32"),
            kind("an IPv4-embedding IPv6 address", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",
                    "2001::/32"),
            kind("a reserved address", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24",
                    "203.0.113.0/24", "240.0.0.0/4", "100::/64", "2001:db8::/32", "fec0::/10", "2001:2::/48",
                    "2001:10::/28", "2001:20::/28", "3fff::/20", "5f00::/16"));

    private NonPublicAddresses() {
    }

    private static Kind kind(String name, String... cidrs) {
        return new Kind(name, IpRanges.parse(List.of(cidrs), "webhook address ranges"));
    }

    /** What kind of non-public address this is ("a loopback address", ...), or null when it is public. */
    static String kindOf(InetAddress address) {
        InetSocketAddress a = new InetSocketAddress(address, 0);
        for (Kind k : KINDS) {
            if (k.ranges().contains(a)) {
                return k.name();
            }
        }
        return null;
    }
}
