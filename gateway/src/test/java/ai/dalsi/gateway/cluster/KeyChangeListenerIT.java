package ai.dalsi.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.KeyInvalidation;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

/**
 * NOTIFY from the V4 triggers reaching independent listeners (as on separate gateway nodes).
 * The admin API's part of the same path is in {@code KeyChangeNotificationIT}.
 */
@ExtendWith(FreshDatabaseExtension.class)
class KeyChangeListenerIT {

    /** What a node's key cache would be told. */
    static final class Recorder implements KeyInvalidation {
        final List<String> hashes = new CopyOnWriteArrayList<>();
        final AtomicInteger all = new AtomicInteger();

        @Override
        public void invalidate(String keyHash) {
            hashes.add(keyHash);
        }

        @Override
        public void invalidateAll() {
            all.incrementAndGet();
        }
    }

    private final TestDatabase db;

    KeyChangeListenerIT(TestDatabase db) {
        this.db = db;
    }

    private String insertKey(String hash) {
        db.dsl().execute("INSERT INTO users (id, email) VALUES (gen_random_uuid(), ?) ON CONFLICT DO NOTHING",
                hash.substring(0, 8) + "@example.com");
        db.dsl().execute("INSERT INTO api_keys (user_id, key_hash, key_prefix, name) "
                + "SELECT id, ?, 'dsk_live_abc', 'n' FROM users WHERE email = ?", hash, hash.substring(0, 8) + "@example.com");
        return hash;
    }

    private static String hash(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Test
    void aRevocationReachesEveryListenerAndUsageTotalsDoNot() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        try (KeyChangeListener la = new KeyChangeListener(db.config(), a).start();
             KeyChangeListener lb = new KeyChangeListener(db.config(), b).start()) {
            Eventually.await("both listening", () -> la.listening() && lb.listening());
            assertThat(a.all.get()).as("first connect drops everything").isEqualTo(1);

            String h = insertKey(hash('a'));
            Eventually.await("the new key reaches node A within a second", Duration.ofSeconds(1),
                    () -> a.hashes.contains(h));
            Eventually.await("the new key reaches node B within a second", Duration.ofSeconds(1),
                    () -> b.hashes.contains(h));
            assertThat(a.hashes).as("the insert, once").containsExactly(h);
            a.hashes.clear();
            b.hashes.clear();
            db.dsl().execute("UPDATE api_keys SET total_requests = total_requests + 1, last_used_at = now(), "
                    + "updated_at = now() WHERE key_hash = ?", h);
            db.dsl().execute("UPDATE api_keys SET revoked_at = now(), is_active = false WHERE key_hash = ?", h);
            Eventually.await("revocation reaches node A within a second", Duration.ofSeconds(1),
                    () -> a.hashes.contains(h));
            Eventually.await("revocation reaches node B within a second", Duration.ofSeconds(1),
                    () -> b.hashes.contains(h));
            assertThat(a.hashes).as("only the revocation, not the usage update").containsExactly(h);
            assertThat(b.hashes).as("only the revocation, not the usage update").containsExactly(h);
        }
    }

    @Test
    void deletionsAndOwnerDeactivationNotifyToo() {
        Recorder r = new Recorder();
        try (KeyChangeListener l = new KeyChangeListener(db.config(), r).start()) {
            Eventually.await("listening", l::listening);
            String h1 = insertKey(hash('b'));
            String h2 = insertKey(hash('c'));
            db.dsl().execute("DELETE FROM api_keys WHERE key_hash = ?", h1);
            db.dsl().execute("UPDATE users SET is_active = false WHERE email = ?", h2.substring(0, 8) + "@example.com");
            Eventually.await("delete and deactivation heard", Duration.ofSeconds(1),
                    () -> r.hashes.contains(h1) && r.hashes.contains(h2));
        }
    }

    @Test
    void afterLosingItsConnectionTheListenerReconnectsAndDropsEverything() {
        Recorder r = new Recorder();
        try (KeyChangeListener l = new KeyChangeListener(db.config(), r).start()) {
            Eventually.await("listening", l::listening);
            int before = r.all.get();
            db.dsl().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ? "
                    + "AND datname = current_database()", KeyChangeListener.APPLICATION_NAME);
            Eventually.await("reconnected", () -> l.connects() >= 2 && l.listening());
            assertThat(r.all.get()).as("invalidateAll after the reconnect").isGreaterThan(before);

            String h = insertKey(hash('d'));
            db.dsl().execute("UPDATE api_keys SET rate_limit_per_minute = 1 WHERE key_hash = ?", h);
            Eventually.await("notifications flow again", Duration.ofSeconds(1), () -> r.hashes.contains(h));
        }
    }
}
