package ai.dalsi.gateway.demo;

import static ai.dalsi.persistence.schema.Tables.AI_MODELS;
import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.API_PRODUCTS;
import static ai.dalsi.persistence.schema.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.testing.EdgeSeed;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.StoredKey;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import ai.dalsi.persistence.testing.TestDatabase;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The demo's seeding: idempotent, keeps what admins changed, a new usable key on every run. */
@ExtendWith(FreshDatabaseExtension.class)
class DemoCatalogIT {

    /** The class shares one database: each test starts from an empty catalog. */
    @AfterEach
    void empty(TestDatabase db) {
        db.dsl().deleteFrom(API_KEYS).execute();
        db.dsl().deleteFrom(USERS).execute();
        db.dsl().deleteFrom(API_PRODUCTS).execute();
        db.dsl().deleteFrom(AI_MODELS).execute();
    }

    @Test
    void seedingTwiceCreatesTheCatalogOnceAndEachKeyIsNew(TestDatabase db) {
        DemoCatalog catalog = new DemoCatalog(db.dsl(), new SecureRandom(), Clock.systemUTC());
        DemoCatalog.Seeded first = catalog.seed();
        assertThat(first.created()).containsExactly("product ai.chat", "product ai.code", "product ai.image",
                "product ai.embed", "product ai.responses", "model dalsi-ai", "model dalsi-aivi", "user demo@example.com");
        assertThat(first.present()).isEmpty();

        // An admin raises a price in between: a second run keeps it.
        db.dsl().update(API_PRODUCTS).set(API_PRODUCTS.PRICE_PER_1K_TOKENS, new BigDecimal("0.005"))
                .where(API_PRODUCTS.NAME.eq("ai.chat")).execute();
        DemoCatalog.Seeded second = catalog.seed();
        assertThat(second.created()).isEmpty();
        assertThat(second.present()).hasSize(8);
        assertThat(second.userId()).isEqualTo(first.userId());
        assertThat(db.dsl().fetchCount(API_KEYS)).as("seeding creates no key").isZero();
        DemoCatalog.DemoKey firstKey = catalog.createKey(first.userId());
        DemoCatalog.DemoKey secondKey = catalog.createKey(second.userId());
        assertThat(secondKey.key()).isNotEqualTo(firstKey.key());
        assertThat(secondKey.perMinute()).as("the schema's default limits").isEqualTo(60);
        assertThat(secondKey.perHour()).isEqualTo(1000);
        assertThat(secondKey.perDay()).isEqualTo(10000);
        assertThat(db.dsl().fetchCount(API_PRODUCTS)).isEqualTo(5);
        assertThat(db.dsl().select(API_PRODUCTS.KIND, API_PRODUCTS.REQUIRED_SCOPES).from(API_PRODUCTS)
                .where(API_PRODUCTS.ENDPOINTS.contains(new String[] {"/v1/responses"})).fetchOne())
                .as("responses are chat: the ai.chat scope").satisfies(r -> {
                    assertThat(r.value1()).isEqualTo("responses");
                    assertThat(r.value2()).containsExactly("ai.chat");
                });
        assertThat(db.dsl().select(API_PRODUCTS.KIND).from(API_PRODUCTS).where(API_PRODUCTS.NAME.eq("ai.embed"))
                .fetchOne(API_PRODUCTS.KIND)).isEqualTo("embedding");
        assertThat(db.dsl().fetchCount(AI_MODELS)).isEqualTo(2);
        assertThat(db.dsl().fetchCount(API_KEYS)).isEqualTo(2);
        assertThat(db.dsl().select(API_PRODUCTS.PRICE_PER_1K_TOKENS).from(API_PRODUCTS)
                .where(API_PRODUCTS.NAME.eq("ai.chat")).fetchOne(API_PRODUCTS.PRICE_PER_1K_TOKENS))
                .isEqualByComparingTo("0.005");

        StoredKey stored = new ApiKeyRepository(db.dsl()).findByHash(ApiKeyFormat.sha256Hex(secondKey.key()))
                .orElseThrow();
        assertThat(ApiKeyFormat.isWellFormed(secondKey.key())).isTrue();
        assertThat(ApiKeyFormat.environmentOf(secondKey.key())).isEqualTo(KeyEnvironment.PRODUCTION);
        assertThat(stored.scopes()).containsExactlyInAnyOrder("ai.chat", "ai.code", "ai.image", "ai.embed");
        assertThat(stored.subscriptionTier()).as("images need pro").isEqualTo("pro");
    }

    @Test
    void usageIsTheTotalsOfTheDemoUsersKeys(TestDatabase db) {
        DemoCatalog catalog = new DemoCatalog(db.dsl(), new SecureRandom(), Clock.systemUTC());
        DemoCatalog.Seeded seeded = catalog.seed();
        DemoCatalog.Usage none = catalog.usage(seeded.userId());
        assertThat(none.requests()).isZero();
        assertThat(none.tokens()).isZero();
        assertThat(none.costUsd()).isEqualByComparingTo("0");
        DemoCatalog.DemoKey a = catalog.createKey(seeded.userId());
        DemoCatalog.DemoKey b = catalog.createKey(seeded.userId());
        db.dsl().update(API_KEYS).set(API_KEYS.TOTAL_REQUESTS, 3L).set(API_KEYS.TOTAL_TOKENS_USED, 120L)
                .set(API_KEYS.TOTAL_COST_USD, new BigDecimal("0.0012")).where(API_KEYS.ID.eq(a.id())).execute();
        db.dsl().update(API_KEYS).set(API_KEYS.TOTAL_REQUESTS, 2L).set(API_KEYS.TOTAL_TOKENS_USED, 30L)
                .set(API_KEYS.TOTAL_COST_USD, new BigDecimal("0.0003")).where(API_KEYS.ID.eq(b.id())).execute();
        DemoCatalog.Usage usage = catalog.usage(seeded.userId());
        assertThat(usage.requests()).isEqualTo(5);
        assertThat(usage.tokens()).isEqualTo(150);
        assertThat(usage.costUsd()).isEqualByComparingTo("0.0015");
    }

    @Test
    void anEndpointServedByAnotherProductIsReported(TestDatabase db) {
        new ai.dalsi.persistence.repo.ProductRepository(db.dsl())
                .upsert(EdgeSeed.product("legacy.chat", List.of("/v1/chat/completions"), "free", 1000, "0.001", "chat"));
        DemoCatalog.Seeded seeded = new DemoCatalog(db.dsl(), new SecureRandom(), Clock.systemUTC()).seed();
        assertThat(seeded.endpointConflicts())
                .containsExactly("/v1/chat/completions is already served by product legacy.chat");
    }
}
