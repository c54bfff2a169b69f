package ai.dalsi.gateway.net;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the client's address: the socket peer, unless the peer is a trusted proxy, in which case
 * the right-most address of {@code X-Forwarded-For} (else {@code Forwarded: for=}) that is not
 * itself a trusted proxy. Addresses to the left of that are set by whoever called the first
 * trusted proxy, so they prove nothing and are never used.
 */
public final class ClientAddressResolver {

    private static final String X_FORWARDED_FOR = "x-forwarded-for";
    private static final String FORWARDED = "forwarded";

    private final IpRanges trusted;

    public ClientAddressResolver(IpRanges trusted) {
        this.trusted = trusted;
    }

    /** The client address of a request that came from {@code peer}. */
    public InetSocketAddress resolve(InetSocketAddress peer, HttpHeaders headers) {
        if (trusted.isEmpty() || peer == null || !trusted.contains(peer)) {
            return peer;
        }
        List<String> hops = headers.getAll(X_FORWARDED_FOR);
        List<String> addresses;
        if (!hops.isEmpty()) {
            addresses = splitForwardedFor(hops);
        } else {
            List<String> forwarded = headers.getAll(FORWARDED);
            if (forwarded.isEmpty()) {
                return peer;
            }
            addresses = forwardedFor(forwarded);
        }
        InetSocketAddress client = peer;
        for (int i = addresses.size() - 1; i >= 0; i--) {
            InetAddress a = parseHop(addresses.get(i));
            if (a == null) {
                // An entry that is no address: stop at the last hop we could check.
                return client;
            }
            client = new InetSocketAddress(a, 0);
            if (!trusted.contains(client)) {
                return client;
            }
        }
        return client;
    }

    private static List<String> splitForwardedFor(List<String> headerValues) {
        List<String> out = new ArrayList<>();
        for (String value : headerValues) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String part = value.substring(start, end).trim();
                if (!part.isEmpty()) {
                    out.add(part);
                }
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
            }
        }
        return out;
    }

    /** The {@code for=} values of RFC 7239 {@code Forwarded} headers, in order. */
    private static List<String> forwardedFor(List<String> headerValues) {
        List<String> out = new ArrayList<>();
        for (String element : splitForwardedFor(headerValues)) {
            for (String pair : element.split(";")) {
                String p = pair.trim();
                if (p.length() > 4 && p.regionMatches(true, 0, "for=", 0, 4)) {
                    String v = p.substring(4).trim();
                    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
                        v = v.substring(1, v.length() - 1);
                    }
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** An address with an optional port: {@code 192.0.2.1}, {@code 192.0.2.1:80}, {@code [2001:db8::1]:80}, {@code 2001:db8::1}. */
    static InetAddress parseHop(String hop) {
        String h = hop.trim();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? null : IpRanges.parseAddress(h.substring(1, close));
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && colon == h.lastIndexOf(':')) {
            h = h.substring(0, colon); // IPv4 with a port
        }
        return IpRanges.parseAddress(h);
    }
}
