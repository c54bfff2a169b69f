package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.auth.KeyInvalidation;
import ai.dalsi.gateway.auth.KeyLoader;
import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.catalog.CatalogCache;
import ai.dalsi.gateway.config.EdgeConfig;
import ai.dalsi.gateway.metrics.EdgeMetrics;
import ai.dalsi.gateway.net.ClientAddressResolver;
import ai.dalsi.gateway.net.IpRanges;
import ai.dalsi.gateway.proxy.BackendProxy;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.flags.FeatureFlags;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.MonthlySpendSource;
import ai.dalsi.metering.UsageSink;
import ai.dalsi.metering.tokens.TokenCounter;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.SpendRepository;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public port: binds, serves the OpenAI-compatible API through the pipeline of
 * {@link EdgePipeline}, and shuts down gracefully. Built by the composition root (the
 * {@code serve} command) or by tests, from its config and its dependencies:
 *
 * <pre>{@code
 * EdgeServer edge = EdgeServer.builder(config)
 *         .database(dsl).proxy(proxy).backends(routes::groupFor)
 *         .sink(sink).metrics(metrics)
 *         .start();
 * int port = edge.port();
 * }</pre>
 *
 * The server owns its event loops, the key-load executor and the catalog refresher; it does not
 * close what it was given (proxy, sink, database).
 */
public final class EdgeServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EdgeConfig config;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ExecutorService keyLoads;
    private final CatalogCache catalog;
    private final KeyCache keys;
    private final EdgeLifecycle lifecycle;
    private final ChannelGroup connections;
    private final Channel serverChannel;
    private final EdgeTransport transport;
    private final BodyBudget bodies;
    private final KeyRateLimiter limiter;

    private EdgeServer(Builder b) {
        this.config = b.config;
        this.lifecycle = new EdgeLifecycle();
        this.transport = EdgeTransport.choose(b.config.nativeTransport(), b.config.ioUring());
        IoHandlerFactory io = transport.ioHandlerFactory();
        Class<? extends ServerChannel> channelType = transport.serverChannel();
        this.bodies = new BodyBudget(b.config.maxBodyBytesInFlight(), b.config.maxBodyBytesInFlightPerAddress());
        AtomicInteger loaderIds = new AtomicInteger();
        this.keyLoads = Executors.newFixedThreadPool(b.config.keyLoadThreads(), r -> {
            Thread t = new Thread(r, "edge-key-load-" + loaderIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        CatalogCache cat = null;
        EventLoopGroup boss = null;
        EventLoopGroup workers = null;
        try {
            cat = CatalogCache.start(b.dsl, b.config.catalogRefresh());
            KeyLoader loader = b.keyLoader != null ? b.keyLoader : new ApiKeyRepository(b.dsl)::findByHash;
            this.keys = new KeyCache(loader, keyLoads, b.ticker, b.config.keyCacheMaxSize(), b.config.keyCacheRefresh(),
                    b.config.keyCacheExpiry(), b.config.keyCacheNegativeTtl());
            this.limiter = b.rateLimiter != null ? b.rateLimiter
                    : KeyRateLimiter.local(b.timeMeter, b.ticker, b.clock, b.config.rateLimitMaxKeys(),
                            MonthlySpendSource.ledger(new SpendRepository(b.dsl)), keyLoads);
            TokenCounter counter = b.tokenCounter.preload(cat.get().modelNames());
            ExchangeFinisher finisher = new ExchangeFinisher(b.sink, b.metrics, limiter, new UsageEvents(b.clock),
                    counter);
            List<ExchangeStep> steps = RequestPath.steps(
                    new ClientAddressResolver(IpRanges.parse(b.config.trustedProxies(), "edge.trustedProxies")),
                    new CredentialExtractor(), keys, new AuthorizationPolicy(b.config.servedEnvironments(), b.clock),
                    b.clock, cat, new RequestBodyParser(), b.config.maxBodyBytes(), bodies, limiter, counter, b.backends,
                    b.sink, b.flags);
            EdgeChannelInitializer initializer = new EdgeChannelInitializer(b.config, lifecycle, b.clock, steps,
                    finisher, new BackendHandOff(b.proxy, finisher), b.metrics,
                    new ConnectionsPerAddress(b.config.maxConnectionsPerAddress()));
            boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("edge-accept", true), io);
            // One event loop per core by default (the loops never block, as nginx's workers): Netty's
            // default of two per core only adds switches between loops that share a core.
            int loops = b.config.ioThreads() > 0 ? b.config.ioThreads() : Runtime.getRuntime().availableProcessors();
            workers = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("edge-io", true), io);
            this.connections = new DefaultChannelGroup("edge-connections", GlobalEventExecutor.INSTANCE);
            ChannelGroup group = connections;
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            group.add(ch);
                            ch.pipeline().addLast(initializer);
                        }
                    });
            this.serverChannel = bootstrap.bind(new InetSocketAddress(b.config.host(), b.config.port()))
                    .syncUninterruptibly().channel();
            this.catalog = cat;
            this.bossGroup = boss;
            this.workerGroup = workers;
        } catch (RuntimeException e) {
            if (cat != null) {
                cat.close();
            }
            if (boss != null) {
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            if (workers != null) {
                workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
            keyLoads.shutdownNow();
            throw e;
        }
        LOG.info("edge listening on {} ({} transport)", serverChannel.localAddress(), transport);
    }

    /** A builder for an edge with this config. */
    public static Builder builder(EdgeConfig config) {
        return new Builder(config);
    }

    /** The bound port (the real one when the config asked for 0). */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Bytes request bodies hold in the in-flight budget now (a gauge; 0 when no body is being read or held). */
    public long bodyBytesInFlight() {
        return bodies.used();
    }

    /** The transport in use: io_uring, epoll or nio. */
    public String transport() {
        return transport.toString();
    }

    /** Where key changes are reported (LISTEN/NOTIFY), so the key cache drops stale entries. */
    public KeyInvalidation keyInvalidation() {
        return keys;
    }

    /** Tells the catalog cache that products or models changed: it reloads at once, off the caller's thread. */
    public Runnable catalogChanged() {
        return catalog::reloadSoon;
    }

    /** The key cache, for a metrics binder ({@code cache="api_keys"}); never used to read keys. */
    public com.github.benmanes.caffeine.cache.Cache<String, ?> keyCacheStatistics() {
        return keys.statistics();
    }

    /** Every limit of every key, e.g. for the admin API's remaining budgets. */
    public KeyRateLimiter limiter() {
        return limiter;
    }

    /** The products/models cache, e.g. to reload it at once after an admin change. */
    public CatalogCache catalog() {
        return catalog;
    }

    /** The event loops serving connections (the proxy's backend channels share them). */
    public EventLoopGroup eventLoops() {
        return workerGroup;
    }

    public EdgeConfig config() {
        return config;
    }

    /**
     * Stops accepting, closes idle connections, lets in-flight requests finish within the grace
     * period (their responses say {@code Connection: close}), then closes everything it owns.
     */
    @Override
    public void close() {
        lifecycle.startDraining();
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> {
                RequestSequencer s = ch.pipeline().get(RequestSequencer.class);
                if (s != null) {
                    s.closeIfIdle(ch.pipeline().context(s));
                } else {
                    ch.close();
                }
            });
        }
        long deadline = System.nanoTime() + config.shutdownGracePeriod().toNanos();
        while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10); // shutdown path only: waiting for in-flight requests to end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!connections.isEmpty()) {
            LOG.warn("closing {} connections still busy after the grace period", connections.size());
        }
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        catalog.close();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        keyLoads.shutdownNow();
    }

    /** Collects the edge's dependencies; {@link #start()} binds. */
    public static final class Builder {
        private final EdgeConfig config;
        private DSLContext dsl;
        private KeyLoader keyLoader;
        private BackendProxy proxy;
        private Function<String, BackendGroup> backends;
        private UsageSink sink;
        private EdgeMetrics metrics = EdgeMetrics.NOOP;
        private Clock clock = Clock.systemUTC();
        private TimeMeter timeMeter = TimeMeter.SYSTEM_NANOTIME;
        private Ticker ticker = Ticker.systemTicker();
        private KeyRateLimiter rateLimiter;
        private TokenCounter tokenCounter = TokenCounter.byModelFamily();
        private Supplier<FeatureFlags> flags = () -> FeatureFlags.NONE;

        private Builder(EdgeConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** The database: products, models and keys are read through it (off the event loop). */
        public Builder database(DSLContext v) { dsl = v; return this; }

        /** Reads keys some other way than {@code ApiKeyRepository} on {@link #database}. */
        public Builder keyLoader(KeyLoader v) { keyLoader = v; return this; }

        public Builder proxy(BackendProxy v) { proxy = v; return this; }

        /** The backends of each model (e.g. {@code BackendRoutes::groupFor}); null means none serves it (503). */
        public Builder backends(Function<String, BackendGroup> v) { backends = v; return this; }

        public Builder sink(UsageSink v) { sink = v; return this; }

        public Builder metrics(EdgeMetrics v) { metrics = v; return this; }

        /** Wall time: request ids, expiry checks, rate-limit reset instants. */
        public Builder clock(Clock v) { clock = v; return this; }

        /** Time of the local rate-limit buckets. */
        public Builder timeMeter(TimeMeter v) { timeMeter = v; return this; }

        /** Time of the Caffeine caches (keys, buckets). */
        public Builder ticker(Ticker v) { ticker = v; return this; }

        /** Counts prompts for admission's worst case (the encoding per model); the family's by default. */
        public Builder tokenCounter(TokenCounter v) { tokenCounter = v; return this; }

        /** Replaces the local limiter (e.g. a Redis-backed one). */
        public Builder rateLimiter(KeyRateLimiter v) { rateLimiter = v; return this; }
        /** The feature flags the kill switches read (default: none, nothing switched off). */
        public Builder flags(Supplier<FeatureFlags> v) { flags = v; return this; }

        /**
         * Loads the catalog (fails if the database cannot be read), binds the port and returns the
         * running edge.
         */
        public EdgeServer start() {
            Objects.requireNonNull(dsl, "database");
            Objects.requireNonNull(proxy, "proxy");
            Objects.requireNonNull(backends, "backends");
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(timeMeter, "timeMeter");
            Objects.requireNonNull(ticker, "ticker");
            return new EdgeServer(this);
        }
    }
}
