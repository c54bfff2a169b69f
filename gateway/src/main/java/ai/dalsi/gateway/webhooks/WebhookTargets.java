package ai.dalsi.gateway.webhooks;

import ai.dalsi.gateway.config.WebhooksConfig;
import ai.dalsi.gateway.net.IpRanges;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where webhooks may go (SSRF protection). A {@code webhook_url} is checked when it is saved and
 * again before every delivery, after DNS resolution: {@code https} only (unless
 * {@code webhooks.allowHttp}), and only addresses on the public internet (unless
 * {@code webhooks.allowPrivateTargets}): never loopback, private, link-local, unique-local,
 * carrier-grade NAT, multicast, unspecified, reserved or cloud metadata addresses
 * ({@link NonPublicAddresses}). A name is refused when any of its addresses is one of those.
 *
 * <p>The delivery connects to the very address that was checked ({@link Reachable#address()}),
 * never to the name again, so a DNS answer that changes between the check and the connect (DNS
 * rebinding) cannot steer it to a private address. At save time a name that does not resolve is
 * accepted (the receiver may not exist yet); it is checked when sending.
 */
public final class WebhookTargets {

    /** Turns a host name into its addresses: the system resolver, or a test's own. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;

        /** {@link InetAddress#getAllByName}: the operating system's resolver and its cache. */
        Resolver SYSTEM = InetAddress::getAllByName;
    }

    /** Whether a URL may be saved as a {@code webhook_url}. */
    public sealed interface Verdict permits Accepted, Refused {
    }

    public record Accepted(String url) implements Verdict {
    }

    /** Refused, with why: {@code points to 127.0.0.1, a loopback address (expected: ...)}. */
    public record Refused(String reason) implements Verdict {
    }

    /** Where one delivery goes, decided just before it is sent. */
    sealed interface Target permits Reachable, Blocked, Unresolvable {
    }

    /**
     * Send to {@code address} (resolved and checked), presenting {@code host} in the Host header
     * and, with TLS, as the server name the certificate must match.
     */
    record Reachable(URI uri, boolean tls, String host, int port, InetSocketAddress address) implements Target {
    }

    /** Not allowed (scheme or address); nothing is sent. */
    record Blocked(String reason) implements Target {
    }

    /** The name does not resolve now. */
    record Unresolvable(String reason) implements Target {
    }

    private static final String PUBLIC_ONLY =
            " (expected: an address on the public internet; webhooks.allowPrivateTargets allows others)";

    private final boolean allowHttp;
    private final boolean allowPrivateTargets;
    private final Resolver resolver;

    public WebhookTargets(boolean allowHttp, boolean allowPrivateTargets, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowPrivateTargets = allowPrivateTargets;
        this.resolver = resolver;
    }

    /** The configured rules with the given resolver. */
    public static WebhookTargets of(WebhooksConfig config, Resolver resolver) {
        return new WebhookTargets(config.allowHttp(), config.allowPrivateTargets(), resolver);
    }

    /** The defaults: https only, public addresses only, the system resolver. */
    public static WebhookTargets strict() {
        return new WebhookTargets(false, false, Resolver.SYSTEM);
    }

    /** Save time: the URL's form and scheme, and its address or, for a name, the addresses it resolves to now. */
    public Verdict check(String url) {
        Parsed parsed = parse(url);
        if (parsed.problem() != null) {
            return new Refused(parsed.problem());
        }
        URI uri = parsed.uri();
        if (allowPrivateTargets) {
            return new Accepted(url);
        }
        String host = uri.getHost();
        InetAddress[] addresses = addresses(host);
        if (addresses.length == 0) {
            return new Accepted(url);
        }
        String refused = nonPublic(isLiteral(host), addresses);
        return refused == null ? new Accepted(url) : new Refused(refused);
    }

    /** Send time: resolves the host and picks the checked address to connect to. */
    Target resolve(String url) {
        Parsed parsed = parse(url);
        if (parsed.problem() != null) {
            return new Blocked(parsed.problem());
        }
        URI uri = parsed.uri();
        String host = uri.getHost();
        InetAddress[] addresses = addresses(host);
        if (addresses.length == 0) {
            return new Unresolvable("cannot resolve " + host);
        }
        boolean literal = isLiteral(host);
        if (!allowPrivateTargets) {
            String refused = nonPublic(literal, addresses);
            if (refused != null) {
                return new Blocked(refused);
            }
        }
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String bareHost = literal && host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return new Reachable(uri, tls, bareHost, port, new InetSocketAddress(addresses[0], port));
    }

    /** A URL's URI when its form and scheme are allowed, else the problem. */
    private record Parsed(URI uri, String problem) {
    }

    private Parsed parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException | NullPointerException e) {
            return new Parsed(null, "is not a URL (expected: an https:// URL)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.isOpaque()) {
            return new Parsed(null, "is not an http:// or https:// URL with a host (expected: an https:// URL)");
        }
        if (scheme.equals("http") && !allowHttp) {
            return new Parsed(null, "is not https (expected: an https:// URL; webhooks.allowHttp allows http://)");
        }
        if (uri.getRawUserInfo() != null) {
            return new Parsed(null, "has credentials in it (expected: a URL without user:password@)");
        }
        return new Parsed(uri, null);
    }

    private static boolean isLiteral(String host) {
        return IpRanges.parseAddress(host) != null;
    }

    /** The host's address if it is one, else what the name resolves to now (none when it does not resolve). */
    private InetAddress[] addresses(String host) {
        InetAddress literal = IpRanges.parseAddress(host);
        if (literal != null) {
            return new InetAddress[] {literal};
        }
        try {
            InetAddress[] resolved = resolver.resolve(host);
            return resolved == null ? new InetAddress[0] : resolved;
        } catch (UnknownHostException e) {
            return new InetAddress[0];
        }
    }

    /** Why the addresses may not be called, or null when every one is public. */
    private static String nonPublic(boolean literal, InetAddress[] addresses) {
        for (InetAddress a : addresses) {
            String kind = NonPublicAddresses.kindOf(a);
            if (kind != null) {
                return (literal ? "points to " : "resolves to ") + NetUtil.toAddressString(a) + ", " + kind
                        + PUBLIC_ONLY;
            }
        }
        return null;
    }
}
