package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.persistence.DatabaseConfig;
import java.util.List;
import java.util.Map;

/** The database settings every command takes from the environment. */
public final class EnvDatabase {

    private EnvDatabase() {
    }

    /**
     * {@code GATEWAY_DB_URL} (default: the local server), {@code GATEWAY_DB_USER}, {@code GATEWAY_DB_PASSWORD}.
     *
     * @throws IllegalArgumentException naming a {@code GATEWAY_*} variable that is no setting (a
     *                                  misspelt one would otherwise be ignored), or a bad URL
     */
    public static DatabaseConfig config(Map<String, String> env) {
        List<String> unknown = ConfigLoader.unknownVariables(env);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", unknown));
        }
        return DatabaseConfig.of(
                value(env, "GATEWAY_DB_URL", DatabaseConfig.DEFAULT_URL),
                value(env, "GATEWAY_DB_USER", "postgres"),
                value(env, "GATEWAY_DB_PASSWORD", ""));
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
