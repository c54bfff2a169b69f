package ai.dalsi.gateway.proxy;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where requests go on one backend: its base URL (scheme, host, port, optional path prefix) and the
 * upstream API key the gateway presents there (from config; the client's key is never forwarded).
 * {@code https} targets are called over TLS (see {@link UpstreamTls}).
 *
 * <p>A request for {@code /v1/chat/completions} to a target whose base URL is
 * {@code http://models.internal/openai} goes to {@code http://models.internal/openai/v1/chat/completions}.
 *
 * @param baseUrl e.g. {@code http://127.0.0.1:9000} or {@code https://llm.internal:8443/openai}; no query,
 *                fragment or user info
 * @param apiKey  sent as {@code Authorization: Bearer <apiKey>}, or null to send none
 */
public record BackendTarget(URI baseUrl, String apiKey) {

    static final String EXPECTED = "http(s)://host[:port][/prefix]";

    public BackendTarget {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null
                || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null || baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("backend url: " + baseUrl + " (expected: " + EXPECTED + ")");
        }
        if (apiKey != null && (apiKey.isBlank() || apiKey.indexOf('\r') >= 0 || apiKey.indexOf('\n') >= 0)) {
            // Never echo the value: it is a secret.
            throw new IllegalArgumentException("backend api key: blank or contains a line break (expected: a token or none)");
        }
    }

    /**
     * As the record's own, written out: every proxied request looks its backend's breaker
     * ({@link BackendHealth}) and connection pool ({@link BackendPool}) up by target, and the
     * generated method's call chain cost the breaker lookup twice the lookup by name it replaced.
     * {@link URI} keeps its hash once worked out.
     */
    @Override
    public int hashCode() {
        return 31 * baseUrl.hashCode() + Objects.hashCode(apiKey);
    }

    /** Whether requests go over TLS. */
    public boolean secure() {
        return "https".equalsIgnoreCase(baseUrl.getScheme());
    }

    /** The host name or address, without IPv6 brackets (for connecting, SNI and hostname verification). */
    public String host() {
        String h = baseUrl.getHost();
        return h.length() > 1 && h.charAt(0) == '[' ? h.substring(1, h.length() - 1) : h;
    }

    /** Port of the base URL, 80 (http) or 443 (https) when it names none. */
    public int port() {
        return baseUrl.getPort() >= 0 ? baseUrl.getPort() : defaultPort();
    }

    private int defaultPort() {
        return secure() ? 443 : 80;
    }

    /** The base URL's path without a trailing slash, prepended to every request path; empty for none. */
    public String pathPrefix() {
        String path = baseUrl.getRawPath();
        if (path == null) {
            return "";
        }
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    /** The {@code Host} header for this backend: host, and the port unless it is the scheme's default. */
    public String hostHeader() {
        String host = baseUrl.getHost();
        return baseUrl.getPort() < 0 || baseUrl.getPort() == defaultPort() ? host : host + ":" + baseUrl.getPort();
    }

    /** How logs, metrics and usage rows name this backend: scheme, host, port and prefix; never the key. */
    public String name() {
        return baseUrl.getScheme().toLowerCase(Locale.ROOT) + "://" + baseUrl.getHost() + ":" + port() + pathPrefix();
    }

    /** Safe to log: never the upstream key. */
    @Override
    public String toString() {
        return "BackendTarget[" + baseUrl + (apiKey == null ? "" : ", apiKey=***") + "]";
    }
}
