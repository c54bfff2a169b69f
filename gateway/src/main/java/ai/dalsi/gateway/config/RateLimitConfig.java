package ai.dalsi.gateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the limits of keys live. Without {@code redisUrl} every node keeps them in its own memory
 * (right for one node; N nodes allow N times every limit); with it every node shares them through
 * Redis ({@code RedisKeyRateLimiter}) and falls back to its own memory while Redis is away.
 *
 * @param redisUrl           a Lettuce URI: {@code redis://[:password@]host:port[/db]},
 *                           {@code rediss://} for TLS, {@code redis-sentinel://host:26379,host2:26379#mymaster}
 *                           for Sentinel, or {@code redis-cluster://host:7000,host2:7001} for Redis
 *                           Cluster (seed nodes); null or blank for the local limiter. Never printed
 *                           with its password
 * @param redisTimeout       how long one limit check waits for Redis before the node answers it
 *                           locally
 * @param redisKeyPrefix     put before every Redis key, so several gateways (or environments) can
 *                           share one Redis
 * @param redisProbeInterval while Redis is away, how often a node asks whether it is back
 */
public record RateLimitConfig(String redisUrl, Duration redisTimeout, String redisKeyPrefix,
        Duration redisProbeInterval) {

    public RateLimitConfig {
        if (redisUrl != null && redisUrl.isBlank()) {
            redisUrl = null;
        }
        if (redisUrl != null && !redisUrl.matches("(?i)(redis|rediss|redis-sentinel|rediss-sentinel|redis-socket"
                + "|redis-cluster|rediss-cluster)://.+")) {
            throw new IllegalArgumentException("ratelimit.redisUrl: not a Redis URI (expected: redis://host:port, "
                    + "rediss://, redis-sentinel://host:port#master or redis-cluster://host:port,host:port)");
        }
        within("redisTimeout", redisTimeout, Duration.ofMillis(1), Duration.ofSeconds(10));
        within("redisProbeInterval", redisProbeInterval, Duration.ofMillis(50), Duration.ofMinutes(1));
        if (redisKeyPrefix == null || redisKeyPrefix.isBlank() || redisKeyPrefix.length() > 100) {
            throw new IllegalArgumentException("ratelimit.redisKeyPrefix: " + (redisKeyPrefix == null ? "missing"
                    : "'" + redisKeyPrefix + "'") + " (expected: 1..100 characters, e.g. gateway:)");
        }
    }

    /** Whether the nodes share their limits through Redis. */
    public boolean shared() {
        return redisUrl != null;
    }

    /** Whether {@link #redisUrl} names a Redis Cluster. */
    public boolean cluster() {
        return redisUrl != null && redisUrl.toLowerCase(java.util.Locale.ROOT).matches("rediss?-cluster://.*");
    }

    /** {@link #redisUrl} without its password, for logs. */
    public String maskedUrl() {
        return redisUrl == null ? "none" : redisUrl.replaceAll("://[^@/]*@", "://***@");
    }

    private static void within(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, "ratelimit." + name + ": missing");
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("ratelimit." + name + ": " + Durations.format(value) + " (expected: "
                    + Durations.format(min) + ".." + Durations.format(max) + ")");
        }
    }

    @Override
    public String toString() {
        return "RateLimitConfig[redisUrl=" + maskedUrl() + ", redisTimeout=" + Durations.format(redisTimeout)
                + ", redisKeyPrefix=" + redisKeyPrefix + ", redisProbeInterval=" + Durations.format(redisProbeInterval)
                + "]";
    }
}
