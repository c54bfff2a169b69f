package ai.dalsi.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Per-key request limits per minute, hour and day at once. The edge depends only on this
 * interface: the local implementation ({@link #local}) keeps buckets in this process; a
 * cluster-wide one (Bucket4j over Redis) can replace it with no change to the handlers, which is
 * why results are futures (a remote store answers later; the local one answers at once, already
 * complete).
 */
public interface KeyRateLimiter {

    /** Takes one request from the key's budget, or says which window refuses it. */
    CompletableFuture<RateLimitDecision> acquire(UUID keyId, RateLimits limits);

    /**
     * The key's budget without taking anything: for the headers of a response the edge refused
     * before the limit step (a 403, a 404 for a model). Never {@link RateLimitDecision.Limited}.
     */
    CompletableFuture<RateLimitDecision> peek(UUID keyId, RateLimits limits);

    /**
     * Buckets in this process, in a bounded cache, timed by {@code timeMeter} (tests move it).
     *
     * @param maxKeys most keys whose buckets are held; an evicted key starts again with a full bucket
     */
    static KeyRateLimiter local(TimeMeter timeMeter, Ticker ticker, long maxKeys) {
        return new LocalKeyRateLimiter(timeMeter, ticker, maxKeys);
    }
}
