package ai.dalsi.gateway.ratelimit;

import ai.dalsi.gateway.config.RateLimitConfig;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The limiter of a node whose limits are shared ({@code ratelimit.redisUrl}): one Lettuce
 * connection (standalone, Sentinel or Cluster), the {@link RedisKeyRateLimiter} on it, the local
 * limiter behind it and the {@link FallbackKeyRateLimiter} between them. Owns the client and the
 * probe's thread; closing it closes them.
 *
 * <p>A Redis that cannot be reached at start does not stop the node: it starts on its own limits
 * (degraded) and the probe connects once Redis answers.
 *
 * <p>Commands are rejected at once while the connection is down (Lettuce's default would queue
 * them until it reconnects, each waiting out its timeout): a check then falls back immediately,
 * and Lettuce keeps reconnecting in the background. (Not with Redis Cluster, whose node
 * connections open lazily: there a check waits out {@code redisTimeout} during an outage.)
 */
public final class SharedLimits implements AutoCloseable {

    private final Connector connector;
    private final ScheduledExecutorService scheduler;
    private final FallbackKeyRateLimiter limiter;

    private SharedLimits(Connector connector, ScheduledExecutorService scheduler, FallbackKeyRateLimiter limiter) {
        this.connector = connector;
        this.scheduler = scheduler;
        this.limiter = limiter;
    }

    /**
     * Connects to Redis and builds the limiter.
     *
     * @param config     {@code ratelimit}: where Redis is, the per-check timeout, the key prefix
     * @param clock      wall time: Redis state is shared, so every node times it by the wall clock
     * @param ticker     times the local limiter's caches
     * @param maxKeys    most keys the local limiter holds while it answers
     * @param spend      where a month's spend starts (the ledger)
     * @param spendLoads runs the ledger's blocking reads
     * @param listener   told of every check answered locally
     * @throws IllegalArgumentException when {@code config.redisUrl()} is not a URI Lettuce can use
     */
    public static SharedLimits open(RateLimitConfig config, Clock clock, Ticker ticker, long maxKeys,
            MonthlySpendSource spend, Executor spendLoads, FallbackKeyRateLimiter.Listener listener) {
        // A URL Lettuce cannot parse is a configuration error (the node does not start), not an outage.
        if (config.cluster()) {
            clusterSeeds(config.redisUrl());
        } else {
            RedisURI.create(config.redisUrl());
        }
        Connector connector = new Connector(config);
        RuntimeException unreachable = null;
        try {
            connector.connect();
        } catch (RuntimeException e) {
            // Redis away at start: the node starts anyway, on its own limits, and the probe connects later.
            unreachable = e;
        }
        TimeMeter wallTime = wallTime(clock);
        RedisKeyRateLimiter redis = new RedisKeyRateLimiter(connector::commands, config.redisKeyPrefix(), wallTime,
                clock, spend, spendLoads, config.redisTimeout());
        KeyRateLimiter local = KeyRateLimiter.local(wallTime, ticker, clock, maxKeys, spend, spendLoads);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratelimit-redis-probe");
            t.setDaemon(true);
            return t;
        });
        Duration probeTimeout = config.redisProbeInterval();
        FallbackKeyRateLimiter limiter = new FallbackKeyRateLimiter(redis, local,
                () -> connector.ping().orTimeout(probeTimeout.toMillis(), TimeUnit.MILLISECONDS), listener, scheduler,
                config.redisProbeInterval());
        if (unreachable != null) {
            limiter.startWithoutRedis(unreachable);
        }
        return new SharedLimits(connector, scheduler, limiter);
    }

    /**
     * The Lettuce client and its one connection, made at start or, when Redis was away then, by the
     * probe (on its thread: connecting blocks).
     */
    private static final class Connector implements AutoCloseable {
        private final RateLimitConfig config;
        private volatile AutoCloseable client;
        private volatile AutoCloseable connection;
        private volatile RedisScriptingAsyncCommands<String, String> commands;
        private volatile Supplier<CompletableFuture<?>> ping;

        Connector(RateLimitConfig config) {
            this.config = config;
        }

        RedisScriptingAsyncCommands<String, String> commands() {
            return commands;
        }

        CompletableFuture<?> ping() {
            if (commands == null) {
                try {
                    connect();
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
            return ping.get();
        }

        synchronized void connect() {
            if (commands != null) {
                return;
            }
            if (config.cluster()) {
                // Not REJECT_COMMANDS here: a Cluster connection opens its node connections lazily, and would
                // reject the first command for every node. During an outage checks wait out redisTimeout instead.
                RedisClusterClient c = RedisClusterClient.create(clusterSeeds(config.redisUrl()));
                c.setOptions(ClusterClientOptions.builder().build());
                try {
                    StatefulRedisClusterConnection<String, String> conn = c.connect(StringCodec.UTF8);
                    client = c::shutdown;
                    connection = conn;
                    ping = () -> conn.async().ping().toCompletableFuture();
                    commands = conn.async();
                } catch (RuntimeException e) {
                    c.shutdown();
                    throw e;
                }
            } else {
                RedisClient c = RedisClient.create(RedisURI.create(config.redisUrl()));
                c.setOptions(ClientOptions.builder()
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
                try {
                    StatefulRedisConnection<String, String> conn = c.connect(StringCodec.UTF8);
                    client = c::shutdown;
                    connection = conn;
                    ping = () -> conn.async().ping().toCompletableFuture();
                    commands = conn.async();
                } catch (RuntimeException e) {
                    c.shutdown();
                    throw e;
                }
            }
        }

        @Override
        public synchronized void close() throws Exception {
            if (connection != null) {
                connection.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }

    /** {@code redis-cluster://[:pw@]h1:p1,h2:p2} (or {@code rediss-cluster://}) to one URI per seed node. */
    static List<RedisURI> clusterSeeds(String url) {
        int scheme = url.indexOf("://");
        String tls = url.substring(0, scheme).toLowerCase(java.util.Locale.ROOT).startsWith("rediss") ? "rediss" : "redis";
        String rest = url.substring(scheme + 3);
        String credentials = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            credentials = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        List<RedisURI> seeds = new ArrayList<>();
        for (String host : rest.split(",")) {
            seeds.add(RedisURI.create(tls + "://" + credentials + host.strip()));
        }
        return seeds;
    }

    /** Epoch nanoseconds of the wall clock: every node names the same slot and refill instant alike. */
    static TimeMeter wallTime(Clock clock) {
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }

    /** The limiter to give the edge. */
    public FallbackKeyRateLimiter limiter() {
        return limiter;
    }

    @Override
    public void close() throws Exception {
        limiter.close();
        scheduler.shutdownNow();
        connector.close();
    }
}
