package ai.dalsi.gateway.testing;

import ai.dalsi.gateway.config.ConfigLoader;
import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.persistence.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment variables an operator would set to run a gateway node against a test database
 * and backend: for child JVMs ({@link GatewayProcess}) and, through {@link #config()}, for nodes
 * started in the test JVM. Ports default to 0 (any free port) in-process.
 */
public final class NodeEnvironment {

    /** Admin bearer token of every test node. */
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

    private final Map<String, String> env = new HashMap<>();

    private NodeEnvironment(TestDatabase db, URI backend, Path journal) {
        env.put("GATEWAY_DB_URL", db.jdbcUrl());
        env.put("GATEWAY_DB_USER", db.user());
        env.put("GATEWAY_DB_PASSWORD", db.password());
        env.put("GATEWAY_DATABASE_MAX_POOL_SIZE", "4");
        env.put("GATEWAY_BACKEND_URL", backend.toString());
        env.put("GATEWAY_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("GATEWAY_HTTP_PORT", "0");
        env.put("GATEWAY_ADMIN_PORT", "0");
        env.put("GATEWAY_EDGE_IO_THREADS", "2");
        env.put("GATEWAY_EDGE_KEY_LOAD_THREADS", "2");
        env.put("GATEWAY_METERING_JOURNAL_DIRECTORY", journal.toString());
    }

    /** A node on this database, sending every model to {@code backend}, journaling in {@code journal}. */
    public static NodeEnvironment of(TestDatabase db, URI backend, Path journal) {
        return new NodeEnvironment(db, backend, journal);
    }

    /** Sets (or, with null, removes) one variable. */
    public NodeEnvironment with(String name, String value) {
        if (value == null) {
            env.remove(name);
        } else {
            env.put(name, value);
        }
        return this;
    }

    public Map<String, String> variables() {
        return Map.copyOf(env);
    }

    /** The configuration {@code serve} would build from these variables. */
    public GatewayConfig config() {
        return ConfigLoader.load(null, env);
    }
}
