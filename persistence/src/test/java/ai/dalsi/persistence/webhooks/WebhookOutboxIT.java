package ai.dalsi.persistence.webhooks;

import static ai.dalsi.persistence.schema.Tables.WEBHOOK_EVENTS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Attempt;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Claimed;
import ai.dalsi.persistence.webhooks.WebhookDeliveries.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The outbox against the real schema: what is stored, who may claim it, how attempts are recorded. */
@ExtendWith(FreshDatabaseExtension.class)
class WebhookOutboxIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2030-03-04T05:06:07.123Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final DSLContext dsl;
    private final WebhookDeliveries deliveries;
    private final UUID user;

    WebhookOutboxIT(DSLContext dsl) {
        this.dsl = dsl;
        this.deliveries = new WebhookDeliveries(dsl);
        this.user = new UserRepository(dsl).insert("hooks-" + UUID.randomUUID() + "@example.com", null);
    }

    @BeforeEach
    void emptyOutbox() {
        dsl.deleteFrom(WEBHOOK_EVENTS).execute();
    }

    private UUID key(String webhookUrl) {
        String hash = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        return new ApiKeyRepository(dsl).insert(new NewKey(user, hash, "dsk_test_" + hash.substring(0, 3), "ci key",
                List.of("ai.chat"), null, null, null, null, null, null, null, null, webhookUrl));
    }

    private int enqueue(WebhookEvent... events) {
        return dsl.transactionResult(c -> WebhookOutbox.enqueue(c.dsl(), List.of(events)));
    }

    @Test
    void storesEventsOfKeysWithAWebhookOnlyWithTheKeysFieldsAndOncePerCause() throws Exception {
        UUID hooked = key("https://hooks.example.com/a");
        UUID silent = key(null);

        assertThat(enqueue(WebhookEvent.keyRevoked(hooked, "leaked", T0), WebhookEvent.keyRevoked(silent, "leaked", T0)))
                .isEqualTo(1);
        assertThat(enqueue(WebhookEvent.keyRevoked(hooked, "leaked again", T0.plusSeconds(1))))
                .as("one key.revoked per key").isZero();

        var row = dsl.selectFrom(WEBHOOK_EVENTS).fetchSingle();
        assertThat(row.getApiKeyId()).isEqualTo(hooked);
        assertThat(row.getEventType()).isEqualTo("key.revoked");
        assertThat(row.getStatus()).isEqualTo("pending");
        assertThat(row.getNextAttemptAt()).isEqualTo(T0);
        JsonNode data = JSON.readTree(row.getData().data());
        assertThat(data.get("key_id").asText()).isEqualTo(hooked.toString());
        assertThat(data.get("key_prefix").asText()).startsWith("dsk_test_");
        assertThat(data.get("key_name").asText()).isEqualTo("ci key");
        assertThat(data.get("user_id").asText()).isEqualTo(user.toString());
        assertThat(data.get("reason").asText()).isEqualTo("leaked");
        assertThat(data.get("revoked_at").asText()).isEqualTo("2030-03-04T05:06:07.123Z");
    }

    @Test
    void rateLimitedEventsAreOnePerKeyAndWindow() {
        UUID k = key("https://hooks.example.com/b");
        Instant minute = Instant.parse("2030-03-04T05:06:00Z");
        assertThat(enqueue(
                WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", minute.plusSeconds(1), "/v1/x", null),
                WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", minute.plusSeconds(59), "/v1/x", null),
                WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", minute.plusSeconds(60), "/v1/x", null),
                WebhookEvent.keyRateLimited(k, LimitWindow.HOUR, "requests", minute.plusSeconds(5), "/v1/x", null)))
                .as("minute 05:06, minute 05:07, hour 05").isEqualTo(3);
        assertThat(enqueue(WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", minute.plusSeconds(30),
                "/v1/y", "m"))).isZero();
    }

    @Test
    void twoClaimersNeverGetTheSameEventAndSkipRatherThanWait() throws Exception {
        UUID k = key("https://hooks.example.com/c");
        for (int i = 0; i < 10; i++) {
            enqueue(WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", T0.plusSeconds(60L * i), "/v1/x",
                    null));
        }
        // A transaction holding row locks on three events (as a claim in progress does) must not
        // make another claimer wait for them or take them.
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<UUID> held = new ArrayList<>();
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> dsl.transaction(c -> {
            held.addAll(c.dsl().select(WEBHOOK_EVENTS.ID).from(WEBHOOK_EVENTS).orderBy(WEBHOOK_EVENTS.NEXT_ATTEMPT_AT)
                    .limit(3).forUpdate().fetch(WEBHOOK_EVENTS.ID));
            locked.countDown();
            release.await(10, TimeUnit.SECONDS);
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
        Instant now = T0.plus(Duration.ofHours(1));
        List<Claimed> a = deliveries.claim("node-a", 4, now, LEASE);
        List<Claimed> b = deliveries.claim("node-b", 10, now, LEASE);
        release.countDown();
        holder.get(10, TimeUnit.SECONDS);

        Set<UUID> ids = new HashSet<>();
        a.forEach(c -> ids.add(c.id()));
        b.forEach(c -> ids.add(c.id()));
        assertThat(a).hasSize(4);
        assertThat(b).hasSize(3);
        assertThat(ids).hasSize(7).doesNotContainAnyElementsOf(held);
        assertThat(a).allSatisfy(c -> {
            assertThat(c.attempt()).isEqualTo(1);
            assertThat(c.webhookUrl()).isEqualTo("https://hooks.example.com/c");
        });
        assertThat(deliveries.claim("node-c", 10, now, LEASE)).as("the held ones, now unlocked").hasSize(3);
        assertThat(deliveries.claim("node-c", 10, now, LEASE)).as("everything is leased").isEmpty();
    }

    @Test
    void aLeaseThatRunsOutIsClaimedAgainAndTheLateResultDoesNotOverwriteTheNewOne() {
        UUID k = key("https://hooks.example.com/d");
        enqueue(WebhookEvent.keyRevoked(k, "r", T0));
        Claimed dead = deliveries.claim("dead-node", 1, T0, LEASE).get(0);
        assertThat(deliveries.claim("live-node", 1, T0.plus(LEASE).minusMillis(1), LEASE)).isEmpty();

        Claimed live = deliveries.claim("live-node", 1, T0.plus(LEASE), LEASE).get(0);
        assertThat(live.id()).isEqualTo(dead.id());
        assertThat(live.attempt()).isEqualTo(2);
        assertThat(live.attemptNumber()).isEqualTo(2);
        assertThat(deliveries.record(live, new Attempt(2, "live-node", T0.plus(LEASE), 12, Outcome.DELIVERED, 204,
                null), null)).isTrue();
        assertThat(deliveries.record(dead, new Attempt(1, "dead-node", T0, 40_000, Outcome.TIMEOUT, null,
                "no answer"), T0.plusSeconds(100))).as("lease lost").isFalse();

        var d = deliveries.get(live.id()).orElseThrow();
        assertThat(d.status()).isEqualTo("delivered");
        assertThat(d.deliveredAt()).isEqualTo(T0.plus(LEASE).plusMillis(12));
        assertThat(d.lastStatusCode()).isEqualTo(204);
        assertThat(deliveries.attempts(live.id())).extracting(Attempt::attempt, Attempt::node, Attempt::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "dead-node", Outcome.TIMEOUT),
                        org.assertj.core.groups.Tuple.tuple(2, "live-node", Outcome.DELIVERED));
    }

    @Test
    void failuresRetryThenFailForGoodAndRedeliveryStartsAfresh() {
        UUID k = key("https://hooks.example.com/e");
        enqueue(WebhookEvent.keyExpired(k, T0.minusSeconds(5), T0));
        Claimed first = deliveries.claim("n", 1, T0, LEASE).get(0);
        deliveries.record(first, new Attempt(1, "n", T0, 5, Outcome.HTTP_ERROR, 500, "HTTP 500"), T0.plusSeconds(5));
        assertThat(deliveries.claim("n", 1, T0.plusSeconds(4), LEASE)).as("backing off").isEmpty();
        assertThat(deliveries.stats()).isEqualTo(new WebhookDeliveries.QueueStats(1, T0, T0.plusSeconds(5)));

        Claimed second = deliveries.claim("n", 1, T0.plusSeconds(5), LEASE).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        deliveries.record(second, new Attempt(2, "n", T0.plusSeconds(5), 3, Outcome.NETWORK_ERROR, null,
                "Connection refused"), null);
        var failed = deliveries.get(second.id()).orElseThrow();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.failedAt()).isEqualTo(T0.plusSeconds(5).plusMillis(3));
        assertThat(failed.lastError()).isEqualTo("Connection refused");
        assertThat(failed.nextAttemptAt()).isNull();
        assertThat(deliveries.claim("n", 1, T0.plusSeconds(3600), LEASE)).isEmpty();
        assertThat(deliveries.stats().pending()).isZero();

        var again = deliveries.redeliver(second.id(), T0.plusSeconds(7200));
        assertThat(again).isInstanceOf(WebhookDeliveries.Redelivered.class);
        var d = ((WebhookDeliveries.Redelivered) again).delivery();
        assertThat(d.status()).isEqualTo("pending");
        assertThat(d.attempts()).isZero();
        assertThat(d.failedAt()).isNull();
        Claimed third = deliveries.claim("n", 1, T0.plusSeconds(7200), LEASE).get(0);
        assertThat(third.attempt()).as("a fresh budget").isEqualTo(1);
        assertThat(third.attemptNumber()).as("numbered after the earlier attempts").isEqualTo(3);
        assertThat(deliveries.redeliver(third.id(), T0.plusSeconds(7201)))
                .isEqualTo(new WebhookDeliveries.InProgress(T0.plusSeconds(7200).plus(LEASE)));
        assertThat(deliveries.redeliver(UUID.randomUUID(), T0)).isEqualTo(new WebhookDeliveries.NotFound());
    }

    @Test
    void aReleasedLeaseIsDueAgainWithoutCountingAnAttempt() {
        UUID k = key("https://hooks.example.com/f");
        enqueue(WebhookEvent.keyRevoked(k, "r", T0));
        Claimed c = deliveries.claim("n", 1, T0, LEASE).get(0);
        deliveries.release(c);
        Claimed again = deliveries.claim("m", 1, T0, LEASE).get(0);
        assertThat(again.attempt()).isEqualTo(1);
        assertThat(again.attemptNumber()).isEqualTo(1);
    }

    @Test
    void listsAKeysDeliveriesNewestFirstInPages() {
        UUID k = key("https://hooks.example.com/g");
        UUID other = key("https://hooks.example.com/h");
        for (int i = 0; i < 5; i++) {
            enqueue(WebhookEvent.keyRateLimited(k, LimitWindow.MINUTE, "requests", T0.plusSeconds(60L * i), "/v1/x",
                    null));
        }
        enqueue(WebhookEvent.keyRevoked(other, "r", T0));

        var first = deliveries.listForKey(k, 2, null);
        assertThat(first.hasMore()).isTrue();
        assertThat(first.data()).extracting(WebhookDeliveries.Delivery::createdAt)
                .containsExactly(T0.plusSeconds(240), T0.plusSeconds(180));
        var second = deliveries.listForKey(k, 2, first.data().get(1).id());
        assertThat(second.data()).extracting(WebhookDeliveries.Delivery::createdAt)
                .containsExactly(T0.plusSeconds(120), T0.plusSeconds(60));
        var last = deliveries.listForKey(k, 2, second.data().get(1).id());
        assertThat(last.hasMore()).isFalse();
        assertThat(last.data()).extracting(WebhookDeliveries.Delivery::createdAt).containsExactly(T0);
    }
}
