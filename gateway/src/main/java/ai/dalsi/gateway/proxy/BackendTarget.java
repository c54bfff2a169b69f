package ai.dalsi.gateway.proxy;

import java.net.URI;
import java.util.Objects;

/**
 * Where a model's requests go: the backend's base URL (scheme, host, port, optional path prefix)
 * and the upstream API key the gateway presents there (from config; the client's key is never
 * forwarded).
 *
 * @param baseUrl e.g. {@code http://127.0.0.1:9000} or {@code http://models.internal/openai}
 * @param apiKey  sent as {@code Authorization: Bearer <apiKey>}, or null to send none
 */
public record BackendTarget(URI baseUrl, String apiKey) {

    public BackendTarget {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!"http".equals(baseUrl.getScheme()) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("backend url: " + baseUrl + " (expected: http://host[:port][/prefix])");
        }
    }

    /** Port of the base URL, 80 when it names none. */
    public int port() {
        return baseUrl.getPort() < 0 ? 80 : baseUrl.getPort();
    }

    /** Safe to log: never the upstream key. */
    @Override
    public String toString() {
        return "BackendTarget[" + baseUrl + (apiKey == null ? "" : ", apiKey=***") + "]";
    }
}
