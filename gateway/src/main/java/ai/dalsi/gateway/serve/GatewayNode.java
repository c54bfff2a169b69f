package ai.dalsi.gateway.serve;

import ai.dalsi.gateway.admin.AdminApi;
import ai.dalsi.gateway.admin.AdminServer;
import ai.dalsi.gateway.admin.KeyExpirySweeper;
import ai.dalsi.gateway.cluster.KeyChangeListener;
import ai.dalsi.gateway.config.Durations;
import ai.dalsi.gateway.config.GatewayConfig;
import ai.dalsi.gateway.edge.EdgeServer;
import ai.dalsi.gateway.flags.FlagCache;
import ai.dalsi.gateway.health.HealthCheck;
import ai.dalsi.gateway.health.HealthChecks;
import ai.dalsi.gateway.health.Readiness;
import ai.dalsi.gateway.metrics.GatewayMetrics;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendRoutes;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.proxy.NettyBackendProxy;
import ai.dalsi.gateway.ratelimit.FallbackKeyRateLimiter;
import ai.dalsi.gateway.ratelimit.MonthlySpendSource;
import ai.dalsi.gateway.ratelimit.SharedLimits;
import ai.dalsi.gateway.config.RateLimitConfig;
import ai.dalsi.persistence.repo.SpendRepository;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import ai.dalsi.gateway.webhooks.Webhooks;
import ai.dalsi.metering.MeteringConfig;
import ai.dalsi.metering.ledger.UsageLedger;
import ai.dalsi.metering.tokens.TokenCounter;
import ai.dalsi.persistence.Database;
import ai.dalsi.persistence.DatabaseUnavailableException;
import ai.dalsi.persistence.JdbcUrls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.BindException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway node: the composition root of {@code serve} and {@code demo}, the one place
 * that builds the parts and wires them together, and the one place that stops them in order.
 *
 * <p>Start order: the database (migrated when {@code database.migrateOnStart}), metrics (with the
 * pool's meters), the metering ledger ({@link UsageLedger}, which first replays what an earlier run
 * left in its journal), the backend proxy, the feature flags ({@link FlagCache}), the public port ({@link EdgeServer}, with its
 * key cache and event loops bound to metrics), the LISTEN/NOTIFY key-change listener feeding the
 * edge's key cache and the flags, the expired-key sweeper, the webhooks ({@link Webhooks}: outbox gauges and the
 * sender), readiness (public port bound, metering accepting, PostgreSQL, backends, key-change
 * listener) and the admin port. A failure at any step closes what
 * was built and throws {@link NodeStartException} with one line naming the cause.
 *
 * <p>Stop order ({@link #close()}): readiness turns not-ready; the public port stops accepting and
 * in-flight requests finish within {@code edge.shutdownGracePeriod}; metering drains to PostgreSQL
 * within its bounded wait (what is left stays in the journal for the next start); then the
 * listener, the sweeper, the webhooks (attempts in flight finish within their timeouts) and the
 * admin port stop (so {@code /metrics} stays up while metering
 * drains); finally the proxy, the pool and the registry close.
 */
public final class GatewayNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayNode.class);

    private final GatewayConfig config;
    private final Clock clock;
    private Database database;
    private GatewayMetrics metrics;
    private UsageLedger metering;
    private NettyBackendProxy proxy;
    private FlagCache flags;
    private EdgeServer edge;
    private SharedLimits sharedLimits;
    private ExecutorService spendLoads;
    private KeyChangeListener listener;
    private KeyExpirySweeper sweeper;
    private Webhooks webhooks;
    private Readiness readiness;
    private AdminServer admin;
    private volatile boolean serving;
    private boolean closed;

    private GatewayNode(GatewayConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /**
     * Builds and starts every part.
     *
     * @throws NodeStartException with one line naming what failed (nothing is left running)
     */
    public static GatewayNode start(GatewayConfig config) {
        return start(config, Clock.systemUTC());
    }

    /** {@link #start(GatewayConfig)} with another wall clock (request ids, expiry, usage timestamps). */
    public static GatewayNode start(GatewayConfig config, Clock clock) {
        GatewayNode node = new GatewayNode(Objects.requireNonNull(config, "config"), Objects.requireNonNull(clock));
        // The parts log their progress as they start; a failed start prints only its one line.
        StartupLogAppender.Held startupLines = StartupLogAppender.hold();
        boolean started = false;
        try {
            node.build();
            started = true;
        } catch (Exception e) { // Netty rethrows a failed bind's checked exception as is
            node.close();
            throw e instanceof NodeStartException n ? n : new NodeStartException(
                    "cannot start: " + DatabaseUnavailableException.rootMessage(e), e);
        } finally {
            if (started) {
                startupLines.release();
            } else {
                startupLines.discard();
            }
        }
        node.logSummary();
        return node;
    }

    private void build() {
        database = openDatabase();
        metrics = new GatewayMetrics();
        metrics.bindDatabasePool(database.pool());
        metering = startMetering();
        proxy = startProxy();
        BackendRoutes routes = config.proxy().routes();
        proxy.health().track(routes.targets());
        metrics.bindBackends(proxy.health());
        flags = FlagCache.start(database.dsl());
        metrics.bindFlags(flags);
        sharedLimits = startSharedLimits();
        edge = startEdge(routes);
        metrics.bindCache("api_keys", edge.keyCacheStatistics());
        metrics.bindEventLoops(edge.eventLoops());
        metrics.bindBodyBytesInFlight(edge::bodyBytesInFlight);
        metrics.bindAllocator(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                ? provider : PooledByteBufAllocator.DEFAULT);
        // One LISTEN connection for key changes, catalog changes and feature flags.
        listener = new KeyChangeListener(config.database(), edge.keyInvalidation(), edge.catalogChanged())
                .subscribe(FlagCache.CHANNEL, flags).start();
        sweeper = new KeyExpirySweeper(database.dsl(), clock).start(config.admin().sweepInterval());
        // Webhooks: outbox gauges and, with a signing secret, the sender (its own threads, off the request path).
        webhooks = Webhooks.start(config.webhooks(), database.dsl(), metrics.registry(), clock);
        readiness = new Readiness(checks(routes), config.admin().readinessTimeout());
        metrics.bindReadiness(readiness::requiredChecksUp);
        admin = startAdmin();
        serving = true;
    }

    private Database openDatabase() {
        try {
            return Database.open(config.database());
        } catch (DatabaseUnavailableException e) {
            throw new NodeStartException(e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new NodeStartException("cannot prepare the database " + JdbcUrls.masked(config.database().jdbcUrl())
                    + ": " + DatabaseUnavailableException.rootMessage(e), e);
        }
    }

    /** The durable ledger: replays what an earlier run left in the journal, then takes events. */
    private UsageLedger startMetering() {
        try {
            return UsageLedger.start(config.metering(), database.dsl(), clock, metrics.meteringMetrics());
        } catch (RuntimeException e) {
            throw new NodeStartException("metering.journalDirectory: cannot use "
                    + config.metering().journalDirectory().toAbsolutePath() + " ("
                    + DatabaseUnavailableException.rootMessage(e) + ")", e);
        }
    }

    private NettyBackendProxy startProxy() {
        try {
            return new NettyBackendProxy(config.proxy().proxyConfig());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new NodeStartException(e.getMessage(), e);
        }
    }

    /**
     * With {@code ratelimit.redisUrl}: the limiter whose state every node shares through Redis
     * (falling back to this node's memory while Redis is away); without it, null (the edge's local one).
     */
    private SharedLimits startSharedLimits() {
        RateLimitConfig rl = config.ratelimit();
        if (!rl.shared()) {
            return null;
        }
        spendLoads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Counter fallbacks = metrics.rateLimitFallbacks();
            return SharedLimits.open(rl, clock, Ticker.systemTicker(), config.edge().rateLimitMaxKeys(),
                    MonthlySpendSource.ledger(new SpendRepository(database.dsl())), spendLoads, fallbacks::increment);
        } catch (RuntimeException e) {
            throw new NodeStartException("ratelimit.redisUrl: cannot use " + rl.maskedUrl() + " ("
                    + DatabaseUnavailableException.rootMessage(e) + ")", e);
        }
    }

    private EdgeServer startEdge(BackendRoutes routes) {
        try {
            return EdgeServer.builder(config.edge())
                    .rateLimiter(sharedLimits == null ? null : sharedLimits.limiter())
                    .database(database.dsl())
                    .proxy(proxy)
                    .backends(routes::groupFor)
                    .sink(metering)
                    .metrics(metrics.edgeMetrics())
                    .clock(clock)
                    .tokenCounter(new TokenCounter(config.proxy().encodings()))
                    .flags(flags)
                    .start();
        } catch (Exception e) { // Netty rethrows a failed bind's checked exception as is
            if (isBindFailure(e)) {
                throw new NodeStartException("edge.port: cannot listen on " + config.edge().host() + ":"
                        + config.edge().port() + " (" + DatabaseUnavailableException.rootMessage(e)
                        + "); set GATEWAY_HTTP_PORT to a free port", e);
            }
            throw new NodeStartException("cannot start the public port: " + DatabaseUnavailableException.rootMessage(e), e);
        }
    }

    private AdminServer startAdmin() {
        AdminApi api = new AdminApi(database.dsl(), clock, config.admin(), metrics, readiness, webhooks.targets(),
                edge.limiter());
        try {
            return new AdminServer(config.admin(), api).start();
        } catch (Exception e) {
            String what = e instanceof IllegalStateException && String.valueOf(e.getMessage()).startsWith("admin.port")
                    ? e.getMessage()
                    : "admin.port: cannot listen on " + config.admin().host() + ":" + config.admin().port() + " ("
                            + DatabaseUnavailableException.rootMessage(e) + ")";
            throw new NodeStartException(what + "; set GATEWAY_ADMIN_PORT to a free port", e);
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")
                    || String.valueOf(t.getMessage()).contains("Cannot assign requested address")) {
                return true;
            }
        }
        return false;
    }

    /** What {@code /health/ready} reports: required are the public port and metering. */
    private List<HealthCheck> checks(BackendRoutes routes) {
        List<HealthCheck> checks = new ArrayList<>();
        checks.add(HealthChecks.flag("edge", true, () -> serving, "public port " + edge.port() + " bound",
                "public port not serving (starting or shutting down)"));
        checks.add(HealthChecks.flag("metering", true, metering::accepting, "accepting usage events",
                "not accepting usage events (journal full or closed)"));
        checks.add(HealthChecks.of("metering_writer", false, () -> {
            String error = metering.lastWriteError();
            long waiting = metering.gauges().queueDepth();
            return error == null
                    ? HealthCheck.Result.up("writing to PostgreSQL, " + waiting + " event(s) waiting")
                    : HealthCheck.Result.down("retrying (" + error + "), " + waiting + " event(s) journaled meanwhile");
        }));
        checks.add(HealthChecks.database(database.dataSource()));
        for (BackendTarget t : routes.targets()) {
            checks.add(backendCheck(t));
        }
        if (sharedLimits != null) {
            FallbackKeyRateLimiter limiter = sharedLimits.limiter();
            checks.add(HealthChecks.of("rate_limits", false, () -> limiter.sharedAnswers()
                    ? HealthCheck.Result.up("shared through Redis " + config.ratelimit().maskedUrl())
                    : HealthCheck.Result.degraded("Redis unreachable (" + limiter.lastError()
                            + "): this node enforces limits on its own")));
        }
        checks.add(HealthChecks.flag("key_changes", false, listener::listening, "listening for key changes",
                "not listening for key changes (the key cache's refresh still applies)"));
        return checks;
    }

    /**
     * One check per backend, {@code backend:<base URL>}: its circuit (open is down) and whether it
     * takes a TCP connection. Not required: the proxy fails over, and a model whose backends are all
     * down is answered 503 at once.
     */
    private HealthCheck backendCheck(BackendTarget t) {
        HealthCheck tcp = HealthChecks.tcp("backend:" + t.name(), t.host(), t.port(), false);
        return HealthChecks.of("backend:" + t.name(), false, () -> {
            String circuit = proxy.health().state(t.name());
            if ("open".equals(circuit)) {
                return HealthCheck.Result.down("circuit open (too many consecutive failures)");
            }
            HealthCheck.Result reach = tcp.check(config.admin().readinessTimeout());
            return reach.up() ? HealthCheck.Result.up("circuit " + circuit + ", " + reach.detail())
                    : HealthCheck.Result.down("circuit " + circuit + ", " + reach.detail());
        });
    }

    /** The start-up summary: addresses and settings an operator checks first, never a secret. */
    private void logSummary() {
        BackendRoutes routes = config.proxy().routes();
        String overrides = routes.models().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " -> " + describe(e.getValue())).collect(Collectors.joining(", "));
        BackendTarget defaultTarget = routes.defaultGroup().backends().get(0).target();
        LOG.info("gateway started: public port {}:{} ({} transport), admin port {}:{} (admin token {})",
                config.edge().host(), edge.port(), edge.transport(),
                config.admin().host(), admin.port(), config.admin().tokenEnabled() ? "set" : "not set");
        LOG.info("database {} (user {}, pool of {}, migrations {}); backends: default {}{}",
                JdbcUrls.hostAndPort(config.database().jdbcUrl()), config.database().user(),
                config.database().maxPoolSize(), config.database().migrateOnStart() ? "applied" : "not applied",
                describe(defaultTarget), overrides.isEmpty() ? "" : "; " + overrides);
        LOG.info("serving key environments {}; trusted proxies {}; {}",
                config.edge().servedEnvironments().stream().map(e -> e.dbValue()).sorted().toList(),
                config.edge().trustedProxies().isEmpty() ? "none" : config.edge().trustedProxies(),
                describe(config.metering()));
    }

    private static String describe(MeteringConfig m) {
        return "metering journal " + m.journalDirectory().toAbsolutePath() + " (bound " + m.journalMaxBytes()
                + " bytes), batches of " + m.batchSize() + " or " + Durations.format(m.flushInterval())
                + ", shutdown drain up to " + Durations.format(m.shutdownDrainTimeout()) + ", refusals counted with "
                + m.refusalSamplesPerMinute() + " example row(s) per key and minute";
    }

    private static String describe(BackendTarget t) {
        return t.baseUrl() + (t.apiKey() == null ? "" : " (upstream key set)");
    }

    private static String describe(BackendGroup g) {
        return g.backends().stream().map(b -> describe(b.target()) + (b.weight() == 1 ? "" : " weight " + b.weight())
                + (b.priority() == 0 ? "" : " priority " + b.priority())
                + (b.upstreamModel() == null ? "" : " as " + b.upstreamModel()))
                .collect(Collectors.joining(" | "));
    }

    /** The bound public port. */
    public int edgePort() {
        return edge.port();
    }

    /** The bound admin port. */
    public int adminPort() {
        return admin.port();
    }

    /** The shared limiter, or null when limits are kept in this node's memory only. */
    public FallbackKeyRateLimiter sharedLimiter() {
        return sharedLimits == null ? null : sharedLimits.limiter();
    }

    /** Whether the key-change listener is connected and listening (tests wait for it). */
    public boolean listeningForKeyChanges() {
        return listener != null && listener.listening();
    }

    /** The node's metrics (a test may scrape them without going through the admin port). */
    public GatewayMetrics metrics() {
        return metrics;
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * Stops everything in the order of the class comment. Each step is bounded; a step that fails is
     * logged and the next one still runs. Idempotent.
     *
     * @return true when every step stopped cleanly
     */
    public synchronized boolean stop() {
        if (closed) {
            return true;
        }
        closed = true;
        serving = false;
        boolean clean = true;
        if (edge != null) {
            LOG.info("shutting down: the public port stops accepting; in-flight requests have up to {} to finish",
                    Durations.format(config.edge().shutdownGracePeriod()));
        }
        clean &= step("public port", edge);
        clean &= step("shared rate limits", sharedLimits);
        if (spendLoads != null) {
            spendLoads.shutdownNow();
        }
        clean &= step("metering", metering);
        clean &= step("key-change listener", listener);
        clean &= step("feature flags", flags);
        clean &= step("expired-key sweeper", sweeper);
        clean &= step("webhooks", webhooks);
        clean &= step("admin port", admin);
        clean &= step("backend proxy", proxy);
        clean &= step("readiness checks", readiness);
        clean &= step("database pool", database);
        clean &= step("metrics", metrics);
        if (edge != null) {
            LOG.info("gateway stopped{}", clean ? "" : " (with errors, see above)");
        }
        return clean;
    }

    private static boolean step(String what, AutoCloseable part) {
        if (part == null) {
            return true;
        }
        try {
            part.close();
            return true;
        } catch (Exception | LinkageError e) {
            LOG.error("shutdown: closing the {} failed: {}", what, DatabaseUnavailableException.rootMessage(e), e);
            return false;
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }
}
