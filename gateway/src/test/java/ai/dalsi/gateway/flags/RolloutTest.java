package ai.dalsi.gateway.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which keys a switch with a rollout percentage applies to. */
class RolloutTest {

    private static List<UUID> keys(int n) {
        Random random = new Random(42);
        List<UUID> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(new UUID(random.nextLong(), random.nextLong()));
        }
        return keys;
    }

    @Test
    void zeroIsNobodyAndAHundredIsEveryKey() {
        for (UUID k : keys(1000)) {
            assertThat(Rollout.includes(0, "product:ai.chat", k)).isFalse();
            assertThat(Rollout.includes(100, "product:ai.chat", k)).isTrue();
        }
    }

    @Test
    void aKeysBucketIsStableAndKnownInAdvance() {
        UUID key = UUID.fromString("0190a5c8-1f3e-7c2a-9b4d-2f6e8a1c3b5d");
        int bucket = Rollout.bucket("model:chat-1", key);
        assertThat(bucket).isBetween(0, 99);
        for (int i = 0; i < 100; i++) {
            assertThat(Rollout.bucket("model:chat-1", key)).isEqualTo(bucket);
        }
        assertThat(Rollout.includes(bucket + 1, "model:chat-1", key)).isTrue();
        assertThat(Rollout.includes(bucket, "model:chat-1", key)).isFalse();
    }

    @Test
    void aRolloutTakesAboutItsShareAndGrowingItOnlyAddsKeys() {
        List<UUID> keys = keys(10_000);
        List<UUID> at10 = keys.stream().filter(k -> Rollout.includes(10, "maintenance", k)).toList();
        List<UUID> at30 = keys.stream().filter(k -> Rollout.includes(30, "maintenance", k)).toList();
        assertThat(at10.size()).isBetween(850, 1150);
        assertThat(at30.size()).isBetween(2750, 3250);
        assertThat(at30).containsAll(at10);
    }

    @Test
    void eachFlagPicksItsOwnKeys() {
        List<UUID> keys = keys(10_000);
        long both = keys.stream().filter(k -> Rollout.includes(10, "product:a", k) && Rollout.includes(10, "product:b", k))
                .count();
        // Independent choices share about 1% of keys, the same choice would share 10%.
        assertThat(both).isLessThan(300);
    }

    @Test
    void aFlagIsOnForAKeyOnlyWhenEnabledAndTheKeyIsInItsRollout() {
        UUID key = keys(1).get(0);
        int bucket = Rollout.bucket("product:ai.chat", key);
        FeatureFlag disabled = new FeatureFlag(UUID.randomUUID(), "product:ai.chat", null, false, 100, Instant.EPOCH,
                Instant.EPOCH);
        FeatureFlag justIn = new FeatureFlag(UUID.randomUUID(), "product:ai.chat", null, true, bucket + 1,
                Instant.EPOCH, Instant.EPOCH);
        FeatureFlag justOut = new FeatureFlag(UUID.randomUUID(), "product:ai.chat", null, true, bucket,
                Instant.EPOCH, Instant.EPOCH);
        assertThat(disabled.onFor(key)).isFalse();
        assertThat(justIn.onFor(key)).isTrue();
        assertThat(justOut.onFor(key)).isFalse();
        assertThat(new FeatureFlags(List.of(justIn)).onFor("product:ai.chat", key)).isEqualTo(justIn);
        assertThat(new FeatureFlags(List.of(justOut)).onFor("product:ai.chat", key)).isNull();
    }
}
