package ai.dalsi.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucket;
import java.time.Duration;
import java.util.UUID;

/**
 * The local request limits: one Bucket4j bucket per key with three greedy-refill limits (minute,
 * hour, day), held in a bounded Caffeine cache. When a key's limits change (its cache entry was
 * refreshed), the bucket's configuration is replaced keeping what was already consumed.
 */
final class RequestBuckets {

    private static final RateWindow[] WINDOWS = RateWindow.values();

    private final TimeMeter timeMeter;
    private final Cache<UUID, Entry> buckets;

    RequestBuckets(TimeMeter timeMeter, Ticker ticker, long maxKeys) {
        this.timeMeter = timeMeter;
        // A bucket unused for a day and a bit is full again anyway: dropping it loses nothing.
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofHours(25))
                .ticker(ticker)
                // Bookkeeping on the caller, not a wake-up of ForkJoinPool.commonPool every few hundred reads.
                .executor(Runnable::run)
                .build();
    }

    /** Takes one request from the key's buckets, or says which window refuses it. */
    RateLimitDecision acquire(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return RateLimitDecision.UNLIMITED;
        }
        Entry e = entry(keyId, limits);
        VerboseResult<ConsumptionProbe> result = e.bucket.asVerbose().tryConsumeAndReturnRemaining(1);
        long[] available = result.getDiagnostics().getAvailableTokensPerEachBandwidth();
        ConsumptionProbe probe = result.getValue();
        if (probe.isConsumed()) {
            return allowed(limits, available);
        }
        return RequestAnswers.limited(limits, available, probe.getNanosToWaitForRefill());
    }

    /** The key's buckets without taking anything. */
    RateLimitDecision peek(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return RateLimitDecision.UNLIMITED;
        }
        Entry e = entry(keyId, limits);
        long[] available = e.bucket.asVerbose().getAvailableTokens().getDiagnostics()
                .getAvailableTokensPerEachBandwidth();
        return allowed(limits, available);
    }

    /**
     * The refusal {@link #acquire} would give now, without taking anything; null when a request
     * fits (a key without buckets yet has every window free). Cheap when a request fits: one
     * estimate, no diagnostics.
     */
    RateLimitDecision.Limited full(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return null;
        }
        Entry e = buckets.getIfPresent(keyId);
        if (e == null || !e.limits.equals(limits) || e.bucket.estimateAbilityToConsume(1).canBeConsumed()) {
            // Changed limits are applied by the next acquire; until then this says nothing.
            return null;
        }
        VerboseResult<EstimationProbe> result = e.bucket.asVerbose().estimateAbilityToConsume(1);
        EstimationProbe probe = result.getValue();
        if (probe.canBeConsumed()) {
            return null;
        }
        return RequestAnswers.limited(limits, result.getDiagnostics().getAvailableTokensPerEachBandwidth(),
                probe.getNanosToWaitForRefill());
    }

    /**
     * Puts back the request {@link #acquire} took (a later check refused it), and says where the
     * buckets stand then. With greedy refill, taking one and adding one at once restores the state.
     */
    RateLimitDecision giveBack(UUID keyId, RateLimits limits) {
        if (limits.unlimited()) {
            return RateLimitDecision.UNLIMITED;
        }
        entry(keyId, limits).bucket.addTokens(1);
        return peek(keyId, limits);
    }

    private static RateLimitDecision allowed(RateLimits limits, long[] available) {
        return RequestAnswers.allowed(limits, available);
    }

    private Entry entry(UUID keyId, RateLimits limits) {
        Entry e = buckets.get(keyId, id -> new Entry(limits, timeMeter));
        if (!e.limits.equals(limits)) {
            e.reconfigure(limits);
        }
        return e;
    }

    private static BucketConfiguration configuration(RateLimits limits) {
        var builder = BucketConfiguration.builder();
        for (RateWindow w : WINDOWS) {
            long limit = limits.of(w);
            builder.addLimit(Bandwidth.builder().capacity(limit).refillGreedy(limit, w.period())
                    .id(w.name()).build());
        }
        return builder.build();
    }

    private static final class Entry {
        private final LocalBucket bucket;
        private volatile RateLimits limits;

        Entry(RateLimits limits, TimeMeter timeMeter) {
            var builder = Bucket.builder().withCustomTimePrecision(timeMeter);
            for (Bandwidth b : configuration(limits).getBandwidths()) {
                builder.addLimit(b);
            }
            this.bucket = builder.build();
            this.limits = limits;
        }

        void reconfigure(RateLimits newLimits) {
            // Concurrent callers may both get here; replacing with the same configuration twice is harmless.
            synchronized (this) {
                if (!limits.equals(newLimits)) {
                    bucket.replaceConfiguration(configuration(newLimits), TokensInheritanceStrategy.ADDITIVE);
                    limits = newLimits;
                }
            }
        }
    }
}
