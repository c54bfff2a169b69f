package ai.dalsi.gateway.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;

/**
 * Which backend serves which model: a default backend (in the final config its URL comes from
 * {@code GATEWAY_BACKEND_URL}) and per-model overrides. Built once at start from config; the
 * factory {@link #target(String, String, String)} turns config strings into a target with errors
 * that name the setting.
 *
 * @param defaultTarget backend for every model without an override, and for requests naming no model
 * @param models        per-model overrides, model name to backend (copied; may be empty)
 */
public record BackendRoutes(BackendTarget defaultTarget, Map<String, BackendTarget> models) {

    public BackendRoutes {
        if (defaultTarget == null) {
            throw new IllegalArgumentException("proxy.backend.url: missing (expected: http://host[:port][/prefix])");
        }
        models = models == null ? Map.of() : Map.copyOf(models);
        for (var e : models.entrySet()) {
            if (e.getKey().isBlank()) {
                throw new IllegalArgumentException("proxy.models: blank model name (expected: a model id)");
            }
            Objects.requireNonNull(e.getValue(), "proxy.models." + e.getKey());
        }
    }

    /** Every model goes to one backend. */
    public static BackendRoutes single(BackendTarget target) {
        return new BackendRoutes(target, Map.of());
    }

    /** The backend for {@code model}: its override if it has one, else the default. */
    public BackendTarget targetFor(String model) {
        if (model == null) {
            return defaultTarget;
        }
        BackendTarget t = models.get(model);
        return t == null ? defaultTarget : t;
    }

    /**
     * A target from config strings. {@code setting} names where the URL came from (for example
     * {@code proxy.models.gpt-4o.url}) so a bad value stops start-up with a message naming it.
     * A blank {@code apiKey} means none.
     */
    public static BackendTarget target(String setting, String url, String apiKey) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(setting + ": missing (expected: http://host[:port][/prefix])");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + ": " + url + " (expected: http://host[:port][/prefix])");
        }
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        try {
            return new BackendTarget(uri, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage().replaceFirst("^backend ", ""));
        }
    }
}
