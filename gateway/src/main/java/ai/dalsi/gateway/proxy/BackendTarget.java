package ai.dalsi.gateway.proxy;

import java.net.URI;
import java.util.Objects;

/**
 * Where a model's requests go: the backend's base URL (scheme, host, port, optional path prefix)
 * and the upstream API key the gateway presents there (from config; the client's key is never
 * forwarded).
 *
 * <p>A request for {@code /v1/chat/completions} to a target whose base URL is
 * {@code http://models.internal/openai} goes to {@code http://models.internal/openai/v1/chat/completions}.
 *
 * @param baseUrl e.g. {@code http://127.0.0.1:9000} or {@code http://models.internal/openai}; no query,
 *                fragment or user info
 * @param apiKey  sent as {@code Authorization: Bearer <apiKey>}, or null to send none
 */
public record BackendTarget(URI baseUrl, String apiKey) {

    public BackendTarget {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!"http".equals(baseUrl.getScheme()) || baseUrl.getHost() == null
                || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null || baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("backend url: " + baseUrl + " (expected: http://host[:port][/prefix])");
        }
        if (apiKey != null && (apiKey.isBlank() || apiKey.indexOf('\r') >= 0 || apiKey.indexOf('\n') >= 0)) {
            // Never echo the value: it is a secret.
            throw new IllegalArgumentException("backend api key: blank or contains a line break (expected: a token or none)");
        }
    }

    /** Port of the base URL, 80 when it names none. */
    public int port() {
        return baseUrl.getPort() < 0 ? 80 : baseUrl.getPort();
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

    /** The {@code Host} header for this backend: host, and the port unless it is 80. */
    public String hostHeader() {
        String host = baseUrl.getHost();
        return baseUrl.getPort() < 0 || baseUrl.getPort() == 80 ? host : host + ":" + baseUrl.getPort();
    }

    /** Safe to log: never the upstream key. */
    @Override
    public String toString() {
        return "BackendTarget[" + baseUrl + (apiKey == null ? "" : ", apiKey=***") + "]";
    }
}
