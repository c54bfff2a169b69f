package ai.dalsi.loadtest.jmh;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.Credential;
import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.persistence.repo.StoredKey;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.TimeMeter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * cache, with the edge's own classes: {@link CredentialExtractor} (the {@code Authorization}
 * header to a key's shape, checksum and SHA-256), {@link KeyCache} (a Caffeine hit by hash) and
 * {@link KeyRateLimiter#local} (one token from a Bucket4j bucket of three limits: minute, hour,
 * day). Each step is also measured alone, to show where the time goes. 1,024 keys in rotation,
 * so caches and buckets are not all in L1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {

    private static final int KEYS = 1024;

    private final HttpHeaders[] headers = new HttpHeaders[KEYS];
    private final String[] hashes = new String[KEYS];
    private final UUID[] ids = new UUID[KEYS];
    private final CredentialExtractor extractor = new CredentialExtractor();
    private final RateLimits limits = new RateLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    private KeyCache keyCache;
    private KeyRateLimiter limiter;
    private int next;

    @Setup
    public void setup() {
        SecureRandom random = new SecureRandom();
        Map<String, StoredKey> stored = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random);
            headers[i] = new DefaultHttpHeaders().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + key)
                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            hashes[i] = ApiKeyFormat.sha256Hex(key);
            ids[i] = UUID.randomUUID();
            // Limits no benchmark run can exhaust: every acquire succeeds, as for a paying key.
            stored.put(hashes[i], new StoredKey(ids[i], UUID.randomUUID(), hashes[i], ApiKeyFormat.displayPrefix(key),
                    "bench", true, true, List.of("ai.chat", "ai.code", "ai.image"), Integer.MAX_VALUE,
                    Integer.MAX_VALUE, Integer.MAX_VALUE, "enterprise", null, List.of(), "production", false, null, null,
                    Instant.now()));
        }
        keyCache = new KeyCache(hash -> Optional.ofNullable(stored.get(hash)), Runnable::run, Ticker.systemTicker(),
                100_000, Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofSeconds(30));
        limiter = KeyRateLimiter.local(TimeMeter.SYSTEM_NANOTIME, Ticker.systemTicker(), 100_000);
        for (int i = 0; i < KEYS; i++) {
            keyCache.lookup(hashes[i]).join(); // every key cached: the benchmark measures hits
        }
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (KEYS - 1);
        return i;
    }

    /** The whole step: parse and hash the presented key, cache hit, three-limit acquire. */
    @Benchmark
    public Object keyParseHashCacheHitAndConsume() {
        Credential c = extractor.extract(headers[nextIndex()]);
        if (!(c instanceof Credential.Presented presented)) {
            return c;
        }
        Optional<ApiKey> key = keyCache.lookup(presented.keyHash()).getNow(null);
        if (key == null || key.isEmpty()) {
            return null;
        }
        return limiter.acquire(key.get().id(), key.get().limits()).getNow(null);
    }

    /** Header to credential: shape, checksum and SHA-256 (what refuses a malformed key stops after the checksum). */
    @Benchmark
    public Credential keyParseAndHash() {
        return extractor.extract(headers[nextIndex()]);
    }

    /** A Caffeine hit by hash in the key cache. */
    @Benchmark
    public Optional<ApiKey> cacheHit() {
        return keyCache.lookup(hashes[nextIndex()]).getNow(null);
    }

    /** One token from the key's bucket of three limits, with what the rate-limit headers need. */
    @Benchmark
    public RateLimitDecision threeLimitConsume() {
        return limiter.acquire(ids[nextIndex()], limits).getNow(null);
    }
}
