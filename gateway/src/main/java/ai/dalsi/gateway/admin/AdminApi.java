package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.config.AdminConfig;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import ai.dalsi.gateway.webhooks.WebhookTargets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import ai.dalsi.persistence.repo.SpendRepository;
import org.jooq.DSLContext;

/**
 * Everything the admin port serves, assembled: the route table (users, keys, webhook deliveries,
 * products, models, feature flags, admin accounts, usage, health, metrics), the authentication
 * parts (accounts, failed-login budgets, remembered logins) and the services behind them. The
 * composition root builds one and gives it to {@link AdminServer}, which adds the threads.
 */
public final class AdminApi {

    private final Router router = new Router();
    private final AdminConfig config;
    private final AdminAccounts accounts;
    private final LoginThrottle throttle;
    private final VerifiedLogins verified;
    private final AdminMetrics metrics;

    /**
     * @param dsl       the database, through jOOQ
     * @param clock     time for created/revoked/updated stamps, expiry checks and the usage report's default month
     * @param config    the admin settings (token, metrics authentication, origins, login limits)
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
        this(dsl, clock, config, metrics, readiness, webhookTargets, null);
    }

    /**
     * @param limiter the node's limiter, whose view of this month's budgets (spend plus requests in
     *                flight) the key and user reads show; null reads the ledger alone
     */
    public AdminApi(DSLContext dsl, Clock clock, AdminConfig config, GatewayMetrics metrics, Readiness readiness,
            WebhookTargets webhookTargets, KeyRateLimiter limiter) {
        this(dsl, clock, config, metrics, readiness, webhookTargets, TimeMeter.SYSTEM_NANOTIME,
                Ticker.systemTicker(), limiter);
    }

    /** With the time that failed-login budgets ({@code timeMeter}) and remembered logins ({@code ticker}) run on. */
    AdminApi(DSLContext dsl, Clock clock, AdminConfig config, GatewayMetrics metrics, Readiness readiness,
            WebhookTargets webhookTargets, TimeMeter timeMeter, Ticker ticker) {
        this(dsl, clock, config, metrics, readiness, webhookTargets, timeMeter, ticker, null);
    }

    private AdminApi(DSLContext dsl, Clock clock, AdminConfig config, GatewayMetrics metrics, Readiness readiness,
            WebhookTargets webhookTargets, TimeMeter timeMeter, Ticker ticker, KeyRateLimiter limiter) {
        this.config = config;
        RemainingBudgets budgets = new RemainingBudgets(limiter, new SpendRepository(dsl), clock);
        new UserRoutes(new UserService(dsl, clock, budgets)).register(router);
        new KeyRoutes(new KeyService(dsl, clock, new SecureRandom(), budgets), webhookTargets).register(router);
        new WebhookRoutes(dsl, clock).register(router);
        new CatalogRoutes(new CatalogService(dsl, clock)).register(router);
        new FlagRoutes(new FlagService(dsl, clock)).register(router);
        this.accounts = new AdminAccounts(dsl, clock);
        new AccountRoutes(new AccountService(dsl, clock, accounts)).register(router);
        new UsageRoutes(new UsageService(dsl), clock).register(router);
        new OpsRoutes(metrics, readiness, config.metricsRequireAuth()).register(router);
        this.throttle = new LoginThrottle(config.login(), timeMeter, ticker);
        this.verified = new VerifiedLogins(config.login().verifiedTtl(), ticker);
        this.metrics = new AdminMetrics(metrics.registry());
    }

    /**
     * The dispatcher for requests, with the threads that serve them ({@code workers}: JDBC), the
     * threads that check passwords (bcrypt) and the timer that delays refused logins.
     */
    AdminDispatcher dispatcher(Executor workers, Executor passwordThreads, ScheduledExecutorService timer) {
        AdminAuthenticator authenticator = new AdminAuthenticator(config.token(), accounts, throttle, verified,
                passwordThreads, metrics);
        return new AdminDispatcher(router, authenticator, new CrossSiteGuard(config.allowedOrigins()), workers,
                timer, config.login().failureDelay(), metrics);
    }
}
