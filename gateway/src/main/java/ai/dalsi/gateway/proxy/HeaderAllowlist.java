package ai.dalsi.gateway.proxy;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The client headers that go upstream: names ({@code openai-beta}) and prefixes ({@code x-sim-*}),
 * matched without regard to case. Everything else the client sent stays at the gateway; the
 * proxy's own headers ({@code Host}, {@code Authorization} with the upstream key,
 * {@code x-request-id}, {@code Content-Length}) are set whatever the list says, and credentials,
 * hop-by-hop headers and {@code Accept-Encoding} never pass even when listed.
 */
public final class HeaderAllowlist {

    /**
     * What passes by default: content negotiation ({@code Content-Type}, {@code Accept},
     * {@code Accept-Language}), {@code User-Agent}, OpenAI's {@code OpenAI-Beta}, and tracing
     * (W3C {@code traceparent}, {@code tracestate}, {@code baggage}; B3 {@code b3}, {@code x-b3-*}).
     */
    public static final List<String> DEFAULT_NAMES = List.of("content-type", "accept", "accept-language",
            "user-agent", "openai-beta", "traceparent", "tracestate", "baggage", "b3", "x-b3-*");

    /** The headers that never pass, whatever the list says. */
    private static final Set<String> NEVER = Set.of("authorization", "x-api-key", "proxy-authorization", "cookie",
            "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "te",
            "trailer", "upgrade", "expect", "accept-encoding", "x-request-id");

    public static final HeaderAllowlist DEFAULT = of(DEFAULT_NAMES);

    private final List<String> entries;
    private final AsciiString[] names;
    private final AsciiString[] prefixes;

    private HeaderAllowlist(List<String> entries) {
        this.entries = List.copyOf(entries);
        List<AsciiString> exact = new ArrayList<>();
        List<AsciiString> prefix = new ArrayList<>();
        for (String e : entries) {
            if (e.endsWith("*")) {
                prefix.add(AsciiString.of(e.substring(0, e.length() - 1)));
            } else if (!NEVER.contains(e)) {
                exact.add(AsciiString.of(e));
            }
        }
        this.names = exact.toArray(AsciiString[]::new);
        this.prefixes = prefix.toArray(AsciiString[]::new);
    }

    /**
     * A list from config entries: header names, or prefixes ending in {@code *}.
     *
     * @throws IllegalArgumentException naming the entry that is not a header name
     */
    public static HeaderAllowlist of(List<String> entries) {
        LinkedHashSet<String> clean = new LinkedHashSet<>();
        for (String raw : entries) {
            String e = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
            String name = e.endsWith("*") ? e.substring(0, e.length() - 1) : e;
            if (name.isEmpty() || !name.chars().allMatch(HeaderAllowlist::tokenChar) || name.indexOf('*') >= 0) {
                throw new IllegalArgumentException("\"" + raw + "\" (expected: a header name such as openai-beta,"
                        + " or a prefix such as x-sim-*)");
            }
            clean.add(e);
        }
        return new HeaderAllowlist(new ArrayList<>(clean));
    }

    /** This list and {@code more}. */
    public HeaderAllowlist with(List<String> more) {
        List<String> all = new ArrayList<>(entries);
        all.addAll(more);
        return of(all);
    }

    /** The entries, lower case, as configured. */
    public List<String> entries() {
        return entries;
    }

    /** Whether a client header of this name goes upstream. */
    public boolean allows(CharSequence name) {
        for (AsciiString n : names) {
            if (n.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        for (AsciiString p : prefixes) {
            if (name.length() > p.length() && AsciiString.regionMatches(name, true, 0, p, 0, p.length())
                    && !NEVER.contains(name.toString().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static boolean tokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '*';
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderAllowlist h && h.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
