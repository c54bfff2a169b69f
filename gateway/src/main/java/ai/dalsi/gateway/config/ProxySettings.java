package ai.dalsi.gateway.config;

import ai.dalsi.gateway.proxy.Backend;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.HeaderAllowlist;
import ai.dalsi.gateway.proxy.ProxyConfig;
import ai.dalsi.metering.tokens.ModelEncodings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code proxy} section: where model requests go (a default backend, and per model one backend
 * or several) and how the proxy talks to backends ({@link ProxyConfig}). Validated on construction by
 * building both, so a bad URL, key file or timeout stops start-up with a message naming the setting,
 * e.g. {@code proxy.models.dalsi-aivi.backends[1].url: ftp://x (expected: http(s)://host[:port][/prefix])}.
 * Upstream keys are never shown: {@link #toString()} masks them, and a key file's content is never
 * part of a message.
 *
 * @param backendUrl              default backend for every model without its own ({@code GATEWAY_BACKEND_URL})
 * @param backendApiKey           key the gateway presents to the default backend, or null for none
 *                                ({@code GATEWAY_BACKEND_API_KEY}); the client's key is never forwarded
 * @param backendApiKeyFile       file holding that key instead (read at start), or null
 * @param models                  per-model backends: model name to {@link ModelBackend}
 * @param forwardHeaders          client headers that go upstream (names, or prefixes ending in {@code *}), for
 *                                models that do not list their own
 * @param trustedCaFile           see {@link ProxyConfig}
 * @param maxAttempts             see {@link ProxyConfig}
 * @param circuitFailureThreshold see {@link ProxyConfig}
 * @param circuitOpenDuration     see {@link ProxyConfig}
 * @param connectTimeout          see {@link ProxyConfig}
 * @param firstByteTimeout        see {@link ProxyConfig}
 * @param idleTimeout             see {@link ProxyConfig}
 * @param totalTimeout            see {@link ProxyConfig}
 * @param maxIdleConnections      see {@link ProxyConfig}
 * @param idleConnectionTimeout   see {@link ProxyConfig}
 * @param usageScanLimitBytes     see {@link ProxyConfig}
 */
public record ProxySettings(
        String backendUrl,
        String backendApiKey,
        String backendApiKeyFile,
        Map<String, ModelBackend> models,
        List<String> forwardHeaders,
        Path trustedCaFile,
        int maxAttempts,
        int circuitFailureThreshold,
        Duration circuitOpenDuration,
        Duration connectTimeout,
        Duration firstByteTimeout,
        Duration idleTimeout,
        Duration totalTimeout,
        int maxIdleConnections,
        Duration idleConnectionTimeout,
        int usageScanLimitBytes) {

    /** The simulated backend's request headers ({@code x-sim-latency-ms}, ...), which the demo lets through. */
    public static final String SIMULATOR_HEADERS = "x-sim-*";

    /**
     * One model's backends: either {@code url} (with {@code apiKey} or {@code apiKeyFile}) for a single
     * backend, or {@code backends} for several.
     *
     * @param url            base URL of the model's only backend, e.g. {@code https://vision.internal:8443}
     * @param apiKey         key presented upstream, or null for none
     * @param apiKeyFile     file holding that key instead, or null
     * @param backends       several backends, or null
     * @param forwardHeaders the client headers that go to this model's backends, instead of
     *                       {@code proxy.forwardHeaders}; or null
     * @param encoding       the tokenizer the gateway counts this model's tokens with ({@code cl100k_base},
     *                       {@code o200k_base}), or null for the model family's: admission's worst case and
     *                       the estimate of answers without usage
     */
    public record ModelBackend(String url, String apiKey, String apiKeyFile, List<BackendSetting> backends,
            List<String> forwardHeaders, String encoding) {

        /** A single backend. */
        public ModelBackend(String url, String apiKey) {
            this(url, apiKey, null, null, null, null);
        }

        /** Backends without a tokenizer of their own. */
        public ModelBackend(String url, String apiKey, String apiKeyFile, List<BackendSetting> backends,
                List<String> forwardHeaders) {
            this(url, apiKey, apiKeyFile, backends, forwardHeaders, null);
        }

        /** Safe to log: never a key. */
        @Override
        public String toString() {
            return "ModelBackend[" + (url == null ? "" : "url=" + url) + (isSet(apiKey) ? ", apiKey=***" : "")
                    + (isSet(apiKeyFile) ? ", apiKeyFile=" + apiKeyFile : "")
                    + (backends == null ? "" : "backends=" + backends)
                    + (forwardHeaders == null ? "" : ", forwardHeaders=" + forwardHeaders)
                    + (encoding == null ? "" : ", encoding=" + encoding) + "]";
        }
    }

    /**
     * One of several backends of a model.
     *
     * @param url        base URL, http or https
     * @param apiKey     key presented upstream, or null for none
     * @param apiKeyFile file holding that key instead, or null
     * @param weight     share of requests among backends of the same priority, 1..100 (default 1)
     * @param priority   lower is preferred; a higher one is used only when the lower ones are open or tried (default 0)
     * @param model      the name this backend knows the model by (an alias), or null for the public name
     */
    public record BackendSetting(String url, String apiKey, String apiKeyFile, Integer weight, Integer priority,
            String model) {

        /** Safe to log: never the key. */
        @Override
        public String toString() {
            return "{url=" + url + (isSet(apiKey) ? ", apiKey=***" : "") + (isSet(apiKeyFile) ? ", apiKeyFile=" + apiKeyFile : "")
                    + (weight == null ? "" : ", weight=" + weight) + (priority == null ? "" : ", priority=" + priority)
                    + (model == null ? "" : ", model=" + model) + "}";
        }
    }

    public ProxySettings {
        models = models == null ? Map.of() : Map.copyOf(new TreeMap<>(models));
        forwardHeaders = forwardHeaders == null ? HeaderAllowlist.DEFAULT_NAMES : List.copyOf(forwardHeaders);
        // Building them is the validation: each names its setting. (The fields are not assigned yet here.)
        new ProxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes, maxAttempts, circuitFailureThreshold, circuitOpenDuration,
                trustedCaFile);
        routes(backendUrl, backendApiKey, backendApiKeyFile, models, forwardHeaders);
        encodings(models);
    }

    /** The tokenizer of each model that names one ({@code proxy.models.<model>.encoding}); others count by family. */
    public ModelEncodings encodings() {
        return encodings(models);
    }

    private static ModelEncodings encodings(Map<String, ModelBackend> models) {
        Map<String, String> named = new TreeMap<>();
        models.forEach((model, m) -> {
            if (m != null && m.encoding() != null) {
                named.put(model, m.encoding());
            }
        });
        try {
            return ModelEncodings.of(named);
        } catch (IllegalArgumentException e) {
            // "dalsi-ai: tokenizer x (expected: ...)" names the model; the setting is its encoding.
            String model = e.getMessage().substring(0, e.getMessage().indexOf(':'));
            throw new IllegalArgumentException("proxy.models." + model + ".encoding: "
                    + e.getMessage().substring(model.length() + ": tokenizer ".length()), e);
        }
    }

    /** The proxy's timeouts, pool, retries, circuit breakers and TLS trust. */
    public ProxyConfig proxyConfig() {
        return new ProxyConfig(connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes, maxAttempts, circuitFailureThreshold, circuitOpenDuration,
                trustedCaFile);
    }

    /** Which backends serve which model (reads key files). */
    public BackendRoutes routes() {
        return routes(backendUrl, backendApiKey, backendApiKeyFile, models, forwardHeaders);
    }

    /**
     * The same settings with every model sent to {@code url} (the demo's simulated backend), whose
     * {@code x-sim-*} headers clients may send.
     */
    public ProxySettings withBackend(String url, Iterable<String> modelNames) {
        Map<String, ModelBackend> all = new LinkedHashMap<>();
        for (String m : modelNames) {
            all.put(m, new ModelBackend(url, null));
        }
        List<String> headers = new ArrayList<>(forwardHeaders);
        if (!headers.contains(SIMULATOR_HEADERS)) {
            headers.add(SIMULATOR_HEADERS);
        }
        return new ProxySettings(url, null, null, all, headers, trustedCaFile, maxAttempts, circuitFailureThreshold,
                circuitOpenDuration, connectTimeout, firstByteTimeout, idleTimeout, totalTimeout, maxIdleConnections,
                idleConnectionTimeout, usageScanLimitBytes);
    }

    private static BackendRoutes routes(String backendUrl, String backendApiKey, String backendApiKeyFile,
            Map<String, ModelBackend> models, List<String> forwardHeaders) {
        HeaderAllowlist headers = allowlist("proxy.forwardHeaders", forwardHeaders);
        String key = key("proxy.backendApiKey", backendApiKey, "proxy.backendApiKeyFile", backendApiKeyFile);
        BackendTarget defaultTarget = BackendRoutes.target("proxy.backendUrl", backendUrl, key);
        Map<String, BackendGroup> groups = new LinkedHashMap<>();
        for (Map.Entry<String, ModelBackend> e : models.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("proxy.models: blank model name (expected: a model id)");
            }
            groups.put(name, group("proxy.models." + name, e.getValue(), headers));
        }
        return new BackendRoutes(new BackendGroup(List.of(Backend.of(defaultTarget)), headers), groups);
    }

    private static BackendGroup group(String setting, ModelBackend m, HeaderAllowlist defaultHeaders) {
        if (m == null) {
            throw new IllegalArgumentException(setting + ": missing (expected: {url, apiKey} or {backends: [...]})");
        }
        HeaderAllowlist headers = m.forwardHeaders() == null ? defaultHeaders
                : allowlist(setting + ".forwardHeaders", m.forwardHeaders());
        List<Backend> backends = new ArrayList<>();
        if (m.backends() != null) {
            if (m.url() != null || m.apiKey() != null || m.apiKeyFile() != null) {
                throw new IllegalArgumentException(setting + ": both url and backends (expected: one of them)");
            }
            if (m.backends().isEmpty()) {
                throw new IllegalArgumentException(setting + ".backends: [] (expected: at least one backend)");
            }
            if (m.backends().size() > BackendGroup.MAX_BACKENDS) {
                throw new IllegalArgumentException(setting + ".backends: " + m.backends().size()
                        + " backends (expected: at most " + BackendGroup.MAX_BACKENDS + ")");
            }
            for (int i = 0; i < m.backends().size(); i++) {
                backends.add(backend(setting + ".backends[" + i + "]", m.backends().get(i)));
            }
        } else {
            String key = key(setting + ".apiKey", m.apiKey(), setting + ".apiKeyFile", m.apiKeyFile());
            backends.add(Backend.of(BackendRoutes.target(setting + ".url", m.url(), key)));
        }
        return new BackendGroup(backends, headers);
    }

    private static Backend backend(String setting, BackendSetting b) {
        if (b == null) {
            throw new IllegalArgumentException(setting + ": missing (expected: {url, apiKey, weight, priority, model})");
        }
        String key = key(setting + ".apiKey", b.apiKey(), setting + ".apiKeyFile", b.apiKeyFile());
        BackendTarget target = BackendRoutes.target(setting + ".url", b.url(), key);
        int weight = b.weight() == null ? 1 : b.weight();
        if (weight < 1 || weight > Backend.MAX_WEIGHT) {
            throw new IllegalArgumentException(setting + ".weight: " + weight + " (expected: 1.." + Backend.MAX_WEIGHT + ")");
        }
        int priority = b.priority() == null ? 0 : b.priority();
        if (priority < 0) {
            throw new IllegalArgumentException(setting + ".priority: " + priority + " (expected: >= 0)");
        }
        String model = b.model() == null || b.model().isBlank() ? null : b.model().strip();
        try {
            return new Backend(target, weight, priority, model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + "." + e.getMessage());
        }
    }

    private static HeaderAllowlist allowlist(String setting, List<String> entries) {
        try {
            return HeaderAllowlist.of(entries);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage());
        }
    }

    /**
     * The key from the setting or from its file (trimmed; read now, at start), or null for none. A key
     * goes into a header: no line breaks. Never echoed: it is a secret.
     */
    private static String key(String setting, String value, String fileSetting, String file) {
        if (isSet(value) && isSet(file)) {
            throw new IllegalArgumentException(setting + ": set together with " + fileSetting + " (expected: one of them)");
        }
        String key = value;
        if (isSet(file)) {
            try {
                key = Files.readString(Path.of(file.strip())).strip();
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(fileSetting + ": cannot read " + file.strip() + " ("
                        + e.getClass().getSimpleName() + ")");
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException(fileSetting + ": " + file.strip() + " is empty (expected: the key)");
            }
            setting = fileSetting;
        }
        if (key != null && (key.indexOf('\r') >= 0 || key.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException(setting + ": contains a line break (expected: a token, or unset for none)");
        }
        return key;
    }

    private static boolean isSet(String s) {
        return s != null && !s.isBlank();
    }

    /** Safe to log: upstream keys masked. */
    @Override
    public String toString() {
        return "ProxySettings[backendUrl=" + backendUrl
                + (isSet(backendApiKey) ? ", backendApiKey=***" : "")
                + (isSet(backendApiKeyFile) ? ", backendApiKeyFile=" + backendApiKeyFile : "")
                + ", models=" + models + ", forwardHeaders=" + forwardHeaders
                + ", trustedCaFile=" + trustedCaFile + ", maxAttempts=" + maxAttempts
                + ", circuitFailureThreshold=" + circuitFailureThreshold
                + ", circuitOpenDuration=" + Durations.format(circuitOpenDuration)
                + ", connectTimeout=" + Durations.format(connectTimeout)
                + ", firstByteTimeout=" + Durations.format(firstByteTimeout)
                + ", idleTimeout=" + Durations.format(idleTimeout) + ", totalTimeout=" + Durations.format(totalTimeout)
                + ", maxIdleConnections=" + maxIdleConnections
                + ", idleConnectionTimeout=" + Durations.format(idleConnectionTimeout)
                + ", usageScanLimitBytes=" + usageScanLimitBytes + "]";
    }
}
