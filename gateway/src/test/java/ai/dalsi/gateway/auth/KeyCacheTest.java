package ai.dalsi.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.persistence.repo.StoredKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyCacheTest {

    private final FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final Map<String, StoredKey> db = new ConcurrentHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private final KeyCache cache = new KeyCache(hash -> {
        loads.incrementAndGet();
        return Optional.ofNullable(db.get(hash));
    }, Runnable::run, time, 100, Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(5));

    private static StoredKey stored(String hash, int perMinute, List<String> ips) {
        return new StoredKey(UUID.randomUUID(), UUID.randomUUID(), hash, "dsk_live_abc", "k", true, true,
                List.of("ai.chat"), perMinute, 100, 1000, "pro", null, ips, "production", false, null, null,
                Instant.now());
    }

    @Test
    void knownKeysAreLoadedOnceAndRefreshedAfterTheInterval() {
        String hash = "a".repeat(64);
        db.put(hash, stored(hash, 1, List.of()));
        ApiKey first = cache.lookup(hash).join().orElseThrow();
        assertThat(first.tier()).isEqualTo(Tier.PRO);
        assertThat(first.allowedIps()).isNull();
        cache.lookup(hash).join();
        assertThat(loads).hasValue(1);
        db.put(hash, stored(hash, 7, List.of()));
        time.advance(Duration.ofSeconds(31));
        cache.lookup(hash).join(); // triggers the refresh (synchronous executor here)
        assertThat(cache.lookup(hash).join().orElseThrow().limits().perMinute()).isEqualTo(7);
    }

    @Test
    void loadsAndRefreshesRunOnTheLoadExecutorNeverOnTheCaller() {
        List<Runnable> queued = new CopyOnWriteArrayList<>();
        KeyCache deferred = new KeyCache(hash -> {
            loads.incrementAndGet();
            return Optional.ofNullable(db.get(hash));
        }, queued::add, time, 100, Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(5));
        String hash = "9".repeat(64);
        db.put(hash, stored(hash, 1, List.of()));

        CompletableFuture<Optional<ApiKey>> miss = deferred.lookup(hash);
        assertThat(miss).isNotDone();
        assertThat(loads).as("nothing loaded on the caller").hasValue(0);
        assertThat(queued).hasSize(1);
        queued.remove(0).run();
        assertThat(miss.join()).isPresent();

        db.put(hash, stored(hash, 9, List.of()));
        time.advance(Duration.ofSeconds(31));
        assertThat(deferred.lookup(hash).join().orElseThrow().limits().perMinute())
                .as("a due refresh answers with the old entry at once").isEqualTo(1);
        assertThat(loads).hasValue(1);
        assertThat(queued).hasSize(1);
        queued.remove(0).run();
        assertThat(deferred.lookup(hash).join().orElseThrow().limits().perMinute()).isEqualTo(9);
        assertThat(loads).hasValue(2);
    }

    @Test
    void unknownKeysAreRememberedForTheNegativeTtl() {
        String hash = "b".repeat(64);
        assertThat(cache.lookup(hash).join()).isEmpty();
        db.put(hash, stored(hash, 1, List.of()));
        assertThat(cache.lookup(hash).join()).isEmpty();
        time.advance(Duration.ofSeconds(6));
        assertThat(cache.lookup(hash).join()).isPresent();
    }

    @Test
    void invalidation() {
        String hash = "c".repeat(64);
        db.put(hash, stored(hash, 1, List.of("10.0.0.0/8")));
        assertThat(cache.lookup(hash).join().orElseThrow().allowedIps().entries()).containsExactly("10.0.0.0/8");
        db.remove(hash);
        cache.invalidate(hash);
        assertThat(cache.lookup(hash).join()).isEmpty();
        db.put(hash, stored(hash, 1, List.of()));
        cache.invalidateAll();
        assertThat(cache.lookup(hash).join()).isPresent();
    }

    @Test
    void aStoredHashThatDiffersIsNoMatch() {
        String hash = "d".repeat(64);
        db.put(hash, stored("e".repeat(64), 1, List.of()));
        assertThat(cache.lookup(hash).join()).isEmpty();
    }

    @Test
    void internalKeysAreUnlimited() {
        String hash = "f".repeat(64);
        StoredKey s = stored(hash, 1, List.of());
        db.put(hash, new StoredKey(s.id(), s.userId(), hash, s.keyPrefix(), s.name(), true, true, s.scopes(), 1, 1, 1,
                "free", null, List.of(), "production", true, null, null, null));
        assertThat(cache.lookup(hash).join().orElseThrow().limits().unlimited()).isTrue();
    }
}
