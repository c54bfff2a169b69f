package ai.dalsi.loadtest.jmh;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request work of the edge before any byte goes to the backend, for a key that is in the
 * cache: check the key's shape and checksum, hash it, find it in the Caffeine cache, take one
 * token from its Bucket4j bucket of three limits (minute, hour, day). Each step is also measured
 * alone, to show where the time goes. 1,024 keys in rotation, so caches and buckets are not all
 * in L1.
 *
 * <p>Uses {@link ApiKeyFormat} and the same Caffeine and Bucket4j calls as the edge's key cache and
 * rate limiter ({@code tryConsumeAndReturnRemaining} through the verbose API, for the
 * per-window remaining counts the rate-limit headers need).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    private static final int KEYS = 1024;

    /** What the key cache holds per key hash, reduced to what the limiter needs. */
    record CachedKey(UUID id, long perMinute, long perHour, long perDay) {
    }

    private final String[] keys = new String[KEYS];
    private final String[] hashes = new String[KEYS];
    private final UUID[] ids = new UUID[KEYS];
    private Cache<String, CachedKey> keyCache;
    private Cache<UUID, LocalBucket> buckets;
    private int next;

    @Setup
    public void setup() {
        SecureRandom random = new SecureRandom();
        keyCache = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(5)).build();
        buckets = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(25)).build();
        for (int i = 0; i < KEYS; i++) {
            keys[i] = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random);
            hashes[i] = ApiKeyFormat.sha256Hex(keys[i]);
            ids[i] = UUID.randomUUID();
            // Limits no benchmark run can exhaust: every consume succeeds, as for a paying key.
            keyCache.put(hashes[i], new CachedKey(ids[i], Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
        }
    }

    private static LocalBucket newBucket(CachedKey k) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(k.perMinute()).refillGreedy(k.perMinute(), Duration.ofMinutes(1)).build())
                .addLimit(Bandwidth.builder().capacity(k.perHour()).refillGreedy(k.perHour(), Duration.ofHours(1)).build())
                .addLimit(Bandwidth.builder().capacity(k.perDay()).refillGreedy(k.perDay(), Duration.ofDays(1)).build())
                .build();
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (KEYS - 1);
        return i;
    }

    /** The whole step: parse, hash, cache hit, three-limit consume. Returns the remaining minute tokens. */
    @Benchmark
    public long keyParseHashCacheHitAndConsume() {
        String key = keys[nextIndex()];
        if (ApiKeyFormat.environmentOf(key) == null) {
            return -1;
        }
        CachedKey k = keyCache.getIfPresent(ApiKeyFormat.sha256Hex(key));
        if (k == null) {
            return -2;
        }
        LocalBucket bucket = buckets.get(k.id(), id -> newBucket(k));
        VerboseResult<ConsumptionProbe> r = bucket.asVerbose().tryConsumeAndReturnRemaining(1);
        return r.getValue().isConsumed() ? r.getDiagnostics().getAvailableTokensPerEachBandwidth()[0] : -3;
    }

    /** Shape and checksum only (what refuses a malformed key). */
    @Benchmark
    public Object keyParse() {
        return ApiKeyFormat.environmentOf(keys[nextIndex()]);
    }

    /** SHA-256 of the key as hex. */
    @Benchmark
    public String keyHash() {
        return ApiKeyFormat.sha256Hex(keys[nextIndex()]);
    }

    /** A Caffeine hit by hash. */
    @Benchmark
    public Object cacheHit() {
        return keyCache.getIfPresent(hashes[nextIndex()]);
    }

    /** One token from a bucket of three limits, with the per-limit remaining counts. */
    @Benchmark
    public long threeLimitConsume() {
        int i = nextIndex();
        CachedKey k = new CachedKey(ids[i], Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        LocalBucket bucket = buckets.get(ids[i], id -> newBucket(k));
        return bucket.asVerbose().tryConsumeAndReturnRemaining(1).getDiagnostics().getAvailableTokensPerEachBandwidth()[0];
    }
}
