package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.webhooks.WebhookTargets;
import java.security.SecureRandom;
import java.time.Clock;
import org.jooq.DSLContext;

/**
 * Everything the admin port serves, assembled: the route table (users, keys, webhook deliveries,
 * products, models, usage, health, metrics), the authenticator and the services behind them. The
 * composition root builds one and gives it to {@link AdminServer}.
 */
public final class AdminApi {

    private final AdminDispatcher dispatcher;

    /**
     * @param dsl       the database, through jOOQ
     * @param clock     time for created/revoked/updated stamps and expiry checks
     * @param config    the admin settings (token, metrics authentication)
     * @param metrics   the registry {@code /metrics} shows
     * @param readiness the checks {@code /health/ready} runs
     */
    public AdminApi(DSLContext dsl, Clock clock, AdminConfig config, GatewayMetrics metrics, Readiness readiness) {
        this(dsl, clock, config, metrics, readiness, WebhookTargets.strict());
    }

    /**
     * @param webhookTargets the rules a {@code webhook_url} is checked against when saved
     */
    public AdminApi(DSLContext dsl, Clock clock, AdminConfig config, GatewayMetrics metrics, Readiness readiness,
            WebhookTargets webhookTargets) {
        Router router = new Router();
        new UserRoutes(new UserService(dsl, clock)).register(router);
        new KeyRoutes(new KeyService(dsl, clock, new SecureRandom()), webhookTargets).register(router);
        new WebhookRoutes(dsl, clock).register(router);
        new CatalogRoutes(new CatalogService(dsl, clock)).register(router);
        new UsageRoutes(new UsageService(dsl)).register(router);
        new OpsRoutes(metrics, readiness, config.metricsRequireAuth()).register(router);
        this.dispatcher = new AdminDispatcher(router, new AdminAuthenticator(config.token(), new AdminAccounts(dsl, clock)));
    }

    AdminDispatcher dispatcher() {
        return dispatcher;
    }
}
