package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_KEY_REVOCATIONS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.schema.tables.records.ApiKeyRevocationsRecord;
import ai.dalsi.persistence.schema.tables.records.ApiKeysRecord;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FreshDatabaseExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyExpirySweeperIT {

    private final AdminFixture f;
    private final String userId;

    KeyExpirySweeperIT(TestDatabase db) {
        f = new AdminFixture(db);
        // The scopes a key may hold are those the catalog's products require.
        new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
        userId = f.newUser("sweep@example.com");
    }

    @AfterAll
    void close() {
        f.close();
    }

    private UUID key(Instant expiresAt) {
        String expiry = expiresAt == null ? "" : ",'expires_at':'" + expiresAt + "'";
        AdminHttp.Response r = f.token.post("/admin/keys", json("{'user_id':'" + userId
                + "','name':'sweep','scopes':['ai.chat']" + expiry + "}"));
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return UUID.fromString(r.json().get("id").asText());
    }

    private static Clock at(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    @Test
    void revokesExpiredKeysOnceWithTypeAutomatic() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID soon = key(now.plus(1, ChronoUnit.HOURS));
        UUID later = key(now.plus(3, ChronoUnit.HOURS));
        UUID never = key(null);

        assertThat(new KeyExpirySweeper(f.db.dsl(), at(now.plus(30, ChronoUnit.MINUTES))).sweepOnce()).isZero();

        Instant sweptAt = now.plus(2, ChronoUnit.HOURS);
        KeyExpirySweeper sweeper = new KeyExpirySweeper(f.db.dsl(), at(sweptAt));
        assertThat(sweeper.sweepOnce()).isEqualTo(1);
        assertThat(sweeper.sweepOnce()).as("idempotent").isZero();

        ApiKeysRecord expired = f.db.dsl().selectFrom(API_KEYS).where(API_KEYS.ID.eq(soon)).fetchOne();
        assertThat(expired.getRevokedAt()).isEqualTo(sweptAt);
        assertThat(expired.getRevokeReason()).isEqualTo("expired");
        assertThat(expired.getIsActive()).isFalse();
        assertThat(expired.getRevokedBy()).isNull();
        List<ApiKeyRevocationsRecord> rows = f.db.dsl().selectFrom(API_KEY_REVOCATIONS)
                .where(API_KEY_REVOCATIONS.API_KEY_ID.eq(soon)).fetch();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getRevokeType()).isEqualTo("automatic");
        assertThat(rows.get(0).getRevokeReason()).isEqualTo("expired");
        assertThat(rows.get(0).getRevokedAt()).isEqualTo(sweptAt);
        assertThat(rows.get(0).getUserId()).isEqualTo(UUID.fromString(userId));

        for (UUID alive : List.of(later, never)) {
            assertThat(f.db.dsl().selectFrom(API_KEYS).where(API_KEYS.ID.eq(alive)).fetchOne().getRevokedAt()).isNull();
        }
        assertThat(f.token.get("/admin/keys/" + soon).json().get("status").asText()).isEqualTo("revoked");
    }

    @Test
    void nodesSweepingAtOnceWriteOneRowPerKey() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<UUID> keys = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            keys.add(key(now.plus(1, ChronoUnit.MINUTES)));
        }
        Clock later = at(now.plus(1, ChronoUnit.DAYS));
        int nodes = 4;
        CyclicBarrier start = new CyclicBarrier(nodes);
        List<CompletableFuture<Integer>> sweeps = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            sweeps.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return new KeyExpirySweeper(f.db.dsl(), later).sweepOnce();
            }));
        }
        int total = 0;
        for (CompletableFuture<Integer> s : sweeps) {
            total += s.get();
        }
        assertThat(total).as("keys revoked across all nodes").isGreaterThanOrEqualTo(keys.size());
        for (UUID k : keys) {
            assertThat(f.db.dsl().fetchCount(API_KEY_REVOCATIONS, API_KEY_REVOCATIONS.API_KEY_ID.eq(k)))
                    .as("revocation rows of " + k).isEqualTo(1);
        }
    }

    @Test
    void manualRevocationIsNotSweptAgain() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        UUID k = key(now.plus(1, ChronoUnit.MINUTES));
        assertThat(f.token.post("/admin/keys/" + k + "/revoke", json("{'reason':'by hand'}")).status()).isEqualTo(200);
        new KeyExpirySweeper(f.db.dsl(), at(now.plus(1, ChronoUnit.DAYS))).sweepOnce();
        assertThat(f.db.dsl().fetchCount(API_KEY_REVOCATIONS, API_KEY_REVOCATIONS.API_KEY_ID.eq(k))).isEqualTo(1);
        assertThat(f.db.dsl().selectFrom(API_KEYS).where(API_KEYS.ID.eq(k)).fetchOne().getRevokeReason())
                .isEqualTo("by hand");
    }
}
