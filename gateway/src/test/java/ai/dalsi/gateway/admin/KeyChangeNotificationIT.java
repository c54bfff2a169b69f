package ai.dalsi.gateway.admin;

import static ai.dalsi.gateway.admin.AdminHttp.json;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.KeyInvalidation;
import ai.dalsi.gateway.cluster.KeyChangeListener;
import ai.dalsi.persistence.testing.Eventually;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A change made through the admin API reaches two independent listeners (two gateway nodes'
 * caches) within a second. The end-to-end version, a key revoked through node A and refused by
 * node B, needs the edge and belongs with the serve wiring.
 */
@ExtendWith(FreshDatabaseExtension.class)
class KeyChangeNotificationIT {

    static final class Recorder implements KeyInvalidation {
        final List<String> hashes = new CopyOnWriteArrayList<>();

        @Override
        public void invalidate(String keyHash) {
            hashes.add(keyHash);
        }

        @Override
        public void invalidateAll() {
        }
    }

    @Test
    void patchRevokeAndRotateThroughTheApiReachBothNodesWithinASecond(TestDatabase db) {
        Recorder nodeA = new Recorder();
        Recorder nodeB = new Recorder();
        try (AdminFixture f = new AdminFixture(db);
             KeyChangeListener a = new KeyChangeListener(db.config(), nodeA).start();
             KeyChangeListener b = new KeyChangeListener(db.config(), nodeB).start()) {
            Eventually.await("both listening", () -> a.listening() && b.listening());
            // The scopes a key may hold are those the catalog's products require.
            new ai.dalsi.gateway.testing.EdgeSeed(db.dsl()).standardCatalog();
            String user = f.newUser("notify@example.com");
            String id = f.token.post("/admin/keys", json("{'user_id':'" + user + "','name':'n','scopes':['ai.chat']}"))
                    .json().get("id").asText();
            String hash = db.dsl().select(API_KEYS.KEY_HASH).from(API_KEYS).where(API_KEYS.ID.eq(UUID.fromString(id)))
                    .fetchOne(API_KEYS.KEY_HASH);
            awaitBoth(nodeA, nodeB, hash, "creation (V14)");
            nodeA.hashes.clear();
            nodeB.hashes.clear();

            assertThat(f.token.patch("/admin/keys/" + id, json("{'rate_limit_per_minute':1}")).status()).isEqualTo(200);
            awaitBoth(nodeA, nodeB, hash, "PATCH");
            nodeA.hashes.clear();
            nodeB.hashes.clear();

            AdminHttp.Response rotated = f.token.post("/admin/keys/" + id + "/rotate", null);
            assertThat(rotated.status()).isEqualTo(201);
            String newId = rotated.json().get("id").asText();
            String newHash = db.dsl().select(API_KEYS.KEY_HASH).from(API_KEYS)
                    .where(API_KEYS.ID.eq(UUID.fromString(newId))).fetchOne(API_KEYS.KEY_HASH);
            awaitBoth(nodeA, nodeB, hash, "rotation revoking the old key");
            awaitBoth(nodeA, nodeB, newHash, "rotation creating the new key");
            nodeA.hashes.clear();
            nodeB.hashes.clear();

            assertThat(f.token.post("/admin/keys/" + newId + "/revoke", json("{'reason':'test'}")).status())
                    .isEqualTo(200);
            awaitBoth(nodeA, nodeB, newHash, "revoke");
        }
    }

    private static void awaitBoth(Recorder a, Recorder b, String hash, String what) {
        Eventually.await(what + " reaches node A within a second", Duration.ofSeconds(1), () -> a.hashes.contains(hash));
        Eventually.await(what + " reaches node B within a second", Duration.ofSeconds(1), () -> b.hashes.contains(hash));
    }
}
