package ai.dalsi.gateway.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;

/**
 * Which backends serve which model: a default group (in the final config its URL comes from
 * {@code GATEWAY_BACKEND_URL}) and per-model groups. Built once at start from config; the factory
 * {@link #target(String, String, String)} turns config strings into a target with errors that name
 * the setting.
 *
 * @param defaultGroup backends of every model without its own, and of requests naming no model
 * @param models       per-model groups, model name to backends (copied; may be empty)
 */
public record BackendRoutes(BackendGroup defaultGroup, Map<String, BackendGroup> models) {

    public BackendRoutes {
        if (defaultGroup == null) {
            throw new IllegalArgumentException("proxy.backendUrl: missing (expected: " + BackendTarget.EXPECTED + ")");
        }
        models = models == null ? Map.of() : Map.copyOf(models);
        for (var e : models.entrySet()) {
            if (e.getKey().isBlank()) {
                throw new IllegalArgumentException("proxy.models: blank model name (expected: a model id)");
            }
            Objects.requireNonNull(e.getValue(), "proxy.models." + e.getKey());
        }
    }

    /** Every model goes to one backend, with the default header allowlist. */
    public static BackendRoutes single(BackendTarget target) {
        return new BackendRoutes(BackendGroup.single(target), Map.of());
    }

    /** Every model goes to one group. */
    public static BackendRoutes single(BackendGroup group) {
        return new BackendRoutes(group, Map.of());
    }

    /** The backends of {@code model}: its own group if it has one, else the default. */
    public BackendGroup groupFor(String model) {
        if (model == null) {
            return defaultGroup;
        }
        BackendGroup g = models.get(model);
        return g == null ? defaultGroup : g;
    }

    /** Every backend of every group, each once (by target). */
    public java.util.Collection<BackendTarget> targets() {
        java.util.LinkedHashSet<BackendTarget> all = new java.util.LinkedHashSet<>();
        defaultGroup.backends().forEach(b -> all.add(b.target()));
        models.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> e.getValue().backends().forEach(b -> all.add(b.target())));
        return all;
    }

    /**
     * A target from config strings. {@code setting} names where the URL came from (for example
     * {@code proxy.models.gpt-4o.url}) so a bad value stops start-up with a message naming it.
     * A blank {@code apiKey} means none.
     */
    public static BackendTarget target(String setting, String url, String apiKey) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(setting + ": missing (expected: " + BackendTarget.EXPECTED + ")");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(setting + ": " + url + " (expected: " + BackendTarget.EXPECTED + ")");
        }
        String key = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        try {
            return new BackendTarget(uri, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage().replaceFirst("^backend url: ", ""));
        }
    }
}
