package ai.dalsi.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What admission caches with a key reaches every node within a second (V10): the key's token
 * limits and budget, its owner's budget, and its owner's subscriptions (added, changed, removed),
 * announced on {@code api_key_changed} for every key of the user. Changes that cannot alter
 * admission announce nothing.
 */
@ExtendWith(FreshDatabaseExtension.class)
class AdmissionChangeNotificationIT {

    private static final Duration WITHIN = Duration.ofSeconds(1);

    private final TestDatabase db;

    AdmissionChangeNotificationIT(TestDatabase db) {
        this.db = db;
    }

    private UUID user() {
        return db.dsl().resultQuery("insert into users (email) values (?) returning id", UUID.randomUUID() + "@example.com")
                .fetchOne(0, UUID.class);
    }

    /**
     * A new key of {@code user}; waits for its own announcement (V14) and forgets it, so that what
     * {@code r} hears next is only what the test's change announced.
     */
    private String key(KeyChangeListenerIT.Recorder r, UUID user) {
        String hash = (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
        db.dsl().execute("insert into api_keys (user_id, key_hash, key_prefix, name) values (?, ?, 'dsk_live_abc', 'k')",
                user, hash);
        Eventually.await("the new key is announced", WITHIN, () -> r.hashes.contains(hash));
        r.hashes.removeIf(hash::equals);
        return hash;
    }

    /** Makes a change that is announced for {@code marker} and waits for it: earlier changes were heard by then. */
    private void barrier(KeyChangeListenerIT.Recorder r, String marker) {
        db.dsl().execute("update api_keys set name = name || '.' where key_hash = ?", marker);
        Eventually.await("the marker change is heard", WITHIN, () -> r.hashes.contains(marker));
    }

    @Test
    void tokenLimitsAndTheKeysBudgetAreAnnounced() {
        KeyChangeListenerIT.Recorder r = new KeyChangeListenerIT.Recorder();
        try (KeyChangeListener l = new KeyChangeListener(db.config(), r).start()) {
            Eventually.await("listening", l::listening);
            for (String column : new String[] {"rate_limit_tokens_per_minute", "rate_limit_tokens_per_day",
                    "monthly_budget_usd"}) {
                String h = key(r, user());
                db.dsl().execute("update api_keys set " + column + " = 1000 where key_hash = ?", h);
                Eventually.await(column + " heard within a second", WITHIN, () -> r.hashes.contains(h));
            }
        }
    }

    @Test
    void theOwnersBudgetIsAnnouncedForEachOfTheirKeysAndOnlyWhenItChanges() {
        KeyChangeListenerIT.Recorder r = new KeyChangeListenerIT.Recorder();
        try (KeyChangeListener l = new KeyChangeListener(db.config(), r).start()) {
            Eventually.await("listening", l::listening);
            UUID owner = user();
            String a = key(r, owner);
            String b = key(r, owner);
            String stranger = key(r, user());
            db.dsl().execute("update users set monthly_budget_usd = 25 where id = ?", owner);
            Eventually.await("both keys heard within a second", WITHIN, () -> r.hashes.contains(a) && r.hashes.contains(b));
            assertThat(r.hashes).doesNotContain(stranger);

            r.hashes.clear();
            db.dsl().execute("update users set monthly_budget_usd = 25, full_name = 'Ana' where id = ?", owner);
            barrier(r, stranger);
            assertThat(r.hashes).as("same budget, same active flag: nothing to announce").containsExactly(stranger);
        }
    }

    @Test
    void subscriptionsAddedChangedAndRemovedAreAnnouncedForEveryKeyOfTheirUser() {
        KeyChangeListenerIT.Recorder r = new KeyChangeListenerIT.Recorder();
        try (KeyChangeListener l = new KeyChangeListener(db.config(), r).start()) {
            Eventually.await("listening", l::listening);
            UUID owner = user();
            String a = key(r, owner);
            String b = key(r, owner);
            String marker = key(r, user());

            UUID sub = db.dsl().resultQuery("insert into user_subscriptions (user_id, tier, current_period_start,"
                    + " current_period_end) values (?, 'pro', now(), now() + interval '1 month') returning id", owner)
                    .fetchOne(0, UUID.class);
            Eventually.await("insert heard within a second", WITHIN, () -> r.hashes.contains(a) && r.hashes.contains(b));

            for (String change : new String[] {"status = 'cancelled'", "tier = 'enterprise'",
                    "current_period_end = current_period_end + interval '1 day'",
                    "current_period_start = current_period_start - interval '1 day'"}) {
                r.hashes.clear();
                db.dsl().execute("update user_subscriptions set " + change + " where id = ?", sub);
                Eventually.await(change + " heard within a second", WITHIN,
                        () -> r.hashes.contains(a) && r.hashes.contains(b));
            }

            r.hashes.clear();
            db.dsl().execute("update user_subscriptions set price_usd = 20, updated_at = now() where id = ?", sub);
            barrier(r, marker);
            assertThat(r.hashes).as("a price change cannot change a tier").containsExactly(marker);

            r.hashes.clear();
            UUID other = user();
            String c = key(r, other);
            db.dsl().execute("update user_subscriptions set user_id = ? where id = ?", other, sub);
            Eventually.await("moved to another user: both users' keys heard", WITHIN,
                    () -> r.hashes.contains(a) && r.hashes.contains(b) && r.hashes.contains(c));

            r.hashes.clear();
            db.dsl().execute("delete from user_subscriptions where id = ?", sub);
            Eventually.await("delete heard within a second", WITHIN, () -> r.hashes.contains(c));
            assertThat(r.hashes).doesNotContain(a, b);
        }
    }
}
