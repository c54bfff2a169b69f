package ai.dalsi.gateway.auth;

import ai.dalsi.persistence.repo.StoredKey;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Known and unknown API keys by hash, in front of PostgreSQL: a bounded Caffeine
 * {@link AsyncLoadingCache} whose loads run on the given executor (never an event loop). Known
 * keys are reloaded in the background once older than the refresh interval, so revocations and
 * limit changes arrive even without a notification, and a known key stays usable while the
 * database is briefly down; "no such key" is remembered only briefly. {@link KeyInvalidation}
 * drops entries when keys change.
 */
public final class KeyCache implements KeyInvalidation {

    private final AsyncLoadingCache<String, Optional<ApiKey>> cache;

    /**
     * @param loader      reads a stored key by hash
     * @param executor    runs loads and refreshes
     * @param ticker      Caffeine's time source (tests move it)
     * @param maxSize     most entries, known and unknown together
     * @param refresh     age after which a known key is reloaded on its next use
     * @param expiry      age after which an entry that could not be refreshed is dropped
     * @param negativeTtl how long an unknown key is remembered
     */
    public KeyCache(KeyLoader loader, Executor executor, Ticker ticker, long maxSize, Duration refresh,
            Duration expiry, Duration negativeTtl) {
        long positiveNanos = expiry.toNanos();
        long negativeNanos = negativeTtl.toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxSize)
                .recordStats()
                // The cache's own bookkeeping runs on the caller (a few buffered reads at a time);
                // handing it to a pool woke a pool thread about 900 times a second per event loop.
                // Loads and refreshes go to the load executor below, never the event loop.
                .executor(Runnable::run)
                .ticker(ticker)
                .refreshAfterWrite(refresh)
                .expireAfter(new Expiry<String, Optional<ApiKey>>() {
                    @Override
                    public long expireAfterCreate(String key, Optional<ApiKey> value, long currentTime) {
                        return value.isPresent() ? positiveNanos : negativeNanos;
                    }

                    @Override
                    public long expireAfterUpdate(String key, Optional<ApiKey> value, long currentTime,
                            long currentDuration) {
                        return value.isPresent() ? positiveNanos : negativeNanos;
                    }

                    @Override
                    public long expireAfterRead(String key, Optional<ApiKey> value, long currentTime,
                            long currentDuration) {
                        return currentDuration;
                    }
                })
                .buildAsync((String hash, Executor ignored) ->
                        CompletableFuture.supplyAsync(() -> load(loader, hash), executor));
    }

    private static Optional<ApiKey> load(KeyLoader loader, String hash) {
        Optional<StoredKey> stored = loader.findByHash(hash);
        // The database matched on the hash; compare again in constant time so that no lookup
        // quirk (collation, trailing spaces) can ever let a different key through.
        if (stored.isEmpty() || !ApiKeyFormat.hashesEqual(stored.get().keyHash(), hash)) {
            return Optional.empty();
        }
        return Optional.of(ApiKey.of(stored.get()));
    }

    /**
     * The key with this hash: empty when unknown. Often already complete (a cache hit); otherwise
     * completes on the load executor, and fails when the database could not be asked.
     */
    public CompletableFuture<Optional<ApiKey>> lookup(String keyHash) {
        return cache.get(keyHash);
    }

    @Override
    public void invalidate(String keyHash) {
        cache.synchronous().invalidate(keyHash);
    }

    @Override
    public void invalidateAll() {
        cache.synchronous().invalidateAll();
    }

    /** The cache itself, read-only use only: for a metrics binder (hits, misses, loads, evictions). */
    public Cache<String, ?> statistics() {
        return cache.synchronous();
    }

    /** Entries held (approximate), for metrics. */
    public long size() {
        return cache.synchronous().estimatedSize();
    }
}
