package ai.dalsi.gateway.config;

import ai.dalsi.persistence.DatabaseConfig;
import java.util.Objects;

/**
 * The whole configuration of a gateway node, parsed once at start by {@link ConfigLoader} from
 * {@code gateway-defaults.yaml}, the config file and the environment. One component per section
 * of the file; adding a section is a component here plus its block in {@code gateway-defaults.yaml}.
 * {@link #toString()} is safe to log (secrets masked by each section).
 *
 * @param admin    the admin port
 * @param database PostgreSQL
 */
public record GatewayConfig(AdminConfig admin, DatabaseConfig database) {

    public GatewayConfig {
        Objects.requireNonNull(admin, "admin: missing");
        Objects.requireNonNull(database, "database: missing");
    }
}
