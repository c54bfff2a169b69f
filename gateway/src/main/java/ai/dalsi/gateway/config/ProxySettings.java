package ai.dalsi.gateway.config;

import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.ProxyConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code proxy} section: where model requests go (a default backend and per-model overrides)
 * and how the proxy talks to backends ({@link ProxyConfig}). Validated on construction by building
 * both, so a bad URL or timeout stops start-up with a message naming the setting, e.g.
 * {@code proxy.models.dalsi-aivi.url: ftp://x (expected: http://host[:port][/prefix])}.
 * Upstream keys are never shown: {@link #toString()} masks them.
 *
 * @param backendUrl            default backend for every model without an override ({@code GATEWAY_BACKEND_URL})
 * @param backendApiKey         key the gateway presents to the default backend, or null for none
 *                              ({@code GATEWAY_BACKEND_API_KEY}); the client's key is never forwarded
 * @param models                per-model overrides: model name to its backend
 * @param connectTimeout        see {@link ProxyConfig}
 * @param firstByteTimeout      see {@link ProxyConfig}
 * @param idleTimeout           see {@link ProxyConfig}
 * @param totalTimeout          see {@link ProxyConfig}
 * @param maxIdleConnections    see {@link ProxyConfig}
 * @param idleConnectionTimeout see {@link ProxyConfig}
 * @param usageScanLimitBytes   see {@link ProxyConfig}
 */
public record ProxySettings(
        String backendUrl,
        String backendApiKey,
        Map<String, ModelBackend> models,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        int maxIdleConnections,
        Duration idleConnectionTimeout,
        int usageScanLimitBytes) {

    /**
     * One model's backend.
     *
     * @param url    base URL, e.g. {@code http://vision.internal:8000}
     * @param apiKey key presented upstream, or null for none
     */
    public record ModelBackend(String url, String apiKey) {

        /** Safe to log: never the key. */
        @Override
        public String toString() {
            return "ModelBackend[url=" + url + (apiKey == null || apiKey.isBlank() ? "" : ", apiKey=***") + "]";
        }
    }

    public ProxySettings {
        models = models == null ? Map.of() : Map.copyOf(new TreeMap<>(models));
        // Building them is the validation: each names its setting.
        proxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes);
        routes(backendUrl, backendApiKey, models);
    }

    /** The proxy's timeouts and pool. */
    public ProxyConfig proxyConfig() {
        return proxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes);
    }

    /** Which backend serves which model. */
    public BackendRoutes routes() {
        return routes(backendUrl, backendApiKey, models);
    }

    /** The same settings with every model sent to {@code url} (the demo's simulated backend). */
    public ProxySettings withBackend(String url, Iterable<String> modelNames) {
        Map<String, ModelBackend> all = new LinkedHashMap<>();
        for (String m : modelNames) {
            all.put(m, new ModelBackend(url, null));
        }
        return new ProxySettings(url, null, all, connectTimeout, firstByteTimeout, idleTimeout, totalTimeout,
                maxIdleConnections, idleConnectionTimeout, usageScanLimitBytes);
    }

    private static ProxyConfig proxyConfig(Duration connect, Duration firstByte, Duration idle, Duration total,
            int maxIdle, Duration idleConnection, int scanLimit) {
        return new ProxyConfig(connect, firstByte, idle, total, maxIdle, idleConnection, scanLimit);
    }

    private static BackendRoutes routes(String url, String apiKey, Map<String, ModelBackend> models) {
        checkKey("proxy.backendApiKey", apiKey);
        BackendTarget defaultTarget = BackendRoutes.target("proxy.backendUrl", url, apiKey);
        Map<String, BackendTarget> overrides = new LinkedHashMap<>();
        for (Map.Entry<String, ModelBackend> e : models.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("proxy.models: blank model name (expected: a model id)");
            }
            ModelBackend b = e.getValue();
            if (b == null) {
                throw new IllegalArgumentException("proxy.models." + name + ": missing (expected: {url, apiKey})");
            }
            checkKey("proxy.models." + name + ".apiKey", b.apiKey());
            overrides.put(name, BackendRoutes.target("proxy.models." + name + ".url", b.url(), b.apiKey()));
        }
        return new BackendRoutes(defaultTarget, overrides);
    }

    /** A key goes into a header: no line breaks. Never echoed: it is a secret. */
    private static void checkKey(String setting, String key) {
        if (key != null && (key.indexOf('\r') >= 0 || key.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException(setting + ": contains a line break (expected: a token, or unset for none)");
        }
    }

    /** Safe to log: upstream keys masked. */
    @Override
    public String toString() {
        return "ProxySettings[backendUrl=" + backendUrl
                + (backendApiKey == null || backendApiKey.isBlank() ? "" : ", backendApiKey=***")
                + ", models=" + models + ", connectTimeout=" + Durations.format(connectTimeout)
                + ", firstByteTimeout=" + Durations.format(firstByteTimeout)
                + ", idleTimeout=" + Durations.format(idleTimeout) + ", totalTimeout=" + Durations.format(totalTimeout)
                + ", maxIdleConnections=" + maxIdleConnections
                + ", idleConnectionTimeout=" + Durations.format(idleConnectionTimeout)
                + ", usageScanLimitBytes=" + usageScanLimitBytes + "]";
    }
}
