package ai.dalsi.gateway.cli;

import ai.dalsi.gateway.config.ConfigException;
import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.persistence.DatabaseConfig;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The database settings every command takes from the environment, read as {@code serve} reads
 * them: the {@code database} section of the defaults, then each of its settings by either of its
 * names ({@code GATEWAY_DB_URL} or {@code GATEWAY_DATABASE_URL}, {@code GATEWAY_DATABASE_CONNECTION_TIMEOUT},
 * ...). Only that section: the other settings are the server's, and a command does not refuse
 * to run over them.
 */
public final class EnvDatabase {

    /** The one section a command binds. */
    record Settings(DatabaseConfig database) {
    }

    private EnvDatabase() {
    }

    /**
     * The database settings in {@code env}.
     *
     * @throws IllegalArgumentException naming a {@code GATEWAY_*} variable that is no setting (a
     *                                  misspelt one would otherwise be ignored), or each bad value
     *                                  with its setting and variable, joined by "; "
     */
    public static DatabaseConfig config(Map<String, String> env) {
        List<String> unknown = ConfigLoader.unknownVariables(env);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", unknown));
        }
        ObjectNode defaults = JsonNodeFactory.instance.objectNode();
        defaults.set("database", ConfigLoader.defaults().get("database"));
        Map<String, String> own = new HashMap<>(env);
        own.keySet().retainAll(ConfigLoader.environmentNames(defaults).keySet());
        try {
            return ConfigLoader.load(Settings.class, defaults, null, own).database();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(String.join("; ", e.problems()), e);
        }
    }
}
