package ai.dalsi.gateway.config;

import ai.dalsi.metering.MeteringConfig;
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
 * @param edge     the public port
 * @param proxy    the model backends and how they are called
 * @param metering the usage ledger: journal, batching, retries, shutdown drain
 * @param webhooks signing and delivery of webhook events
 * @param ratelimit where the limits of keys live (this node's memory, or Redis shared by every node)
 */
public record GatewayConfig(AdminConfig admin, DatabaseConfig database, EdgeConfig edge, ProxySettings proxy,
        MeteringConfig metering, WebhooksConfig webhooks, RateLimitConfig ratelimit) {

    public GatewayConfig {
        Objects.requireNonNull(admin, "admin: missing");
        Objects.requireNonNull(database, "database: missing");
        Objects.requireNonNull(edge, "edge: missing");
        Objects.requireNonNull(proxy, "proxy: missing");
        Objects.requireNonNull(metering, "metering: missing");
        Objects.requireNonNull(webhooks, "webhooks: missing");
        Objects.requireNonNull(ratelimit, "ratelimit: missing");
    }

    /** The same configuration with another admin section. */
    public GatewayConfig withAdmin(AdminConfig v) {
        return new GatewayConfig(v, database, edge, proxy, metering, webhooks, ratelimit);
    }

    /** The same configuration with another database section. */
    public GatewayConfig withDatabase(DatabaseConfig v) {
        return new GatewayConfig(admin, v, edge, proxy, metering, webhooks, ratelimit);
    }

    /** The same configuration with another edge section. */
    public GatewayConfig withEdge(EdgeConfig v) {
        return new GatewayConfig(admin, database, v, proxy, metering, webhooks, ratelimit);
    }

    /** The same configuration with another metering section. */
    public GatewayConfig withMetering(MeteringConfig v) {
        return new GatewayConfig(admin, database, edge, proxy, v, webhooks, ratelimit);
    }

    /** The same configuration with another proxy section. */
    public GatewayConfig withProxy(ProxySettings v) {
        return new GatewayConfig(admin, database, edge, v, metering, webhooks, ratelimit);
    }

    /** The same configuration with another ratelimit section. */
    public GatewayConfig withRatelimit(RateLimitConfig v) {
        return new GatewayConfig(admin, database, edge, proxy, metering, webhooks, v);
    }

    /** The same configuration with another webhooks section. */
    public GatewayConfig withWebhooks(WebhooksConfig v) {
        return new GatewayConfig(admin, database, edge, proxy, metering, v, ratelimit);
    }
}
