package ai.dalsi.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.Model;
import ai.dalsi.persistence.repo.ModelRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.Product;
import ai.dalsi.persistence.repo.ProductRepository;
import ai.dalsi.persistence.repo.SpendRepository;
import ai.dalsi.persistence.repo.StoredKey;
import ai.dalsi.persistence.repo.StoredSubscription;
import ai.dalsi.persistence.repo.UsageRepository;
import ai.dalsi.persistence.repo.UsageRow;
import ai.dalsi.persistence.repo.UserRepository;
import ai.dalsi.persistence.testing.FreshDatabaseExtension;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Round trips through the repositories the gateway and metering use. */
@ExtendWith(FreshDatabaseExtension.class)
class RepositoriesIT {

    private final DSLContext dsl;
    private final UserRepository users;
    private final ApiKeyRepository keys;

    RepositoriesIT(DSLContext dsl) {
        this.dsl = dsl;
        this.users = new UserRepository(dsl);
        this.keys = new ApiKeyRepository(dsl);
    }

    @Test
    void keyRoundTripWithEverySetting() {
        UUID user = users.insert("keys@example.com", "Key Owner");
        Instant expires = Instant.parse("2030-01-02T03:04:05Z");
        String hash = "0123456789abcdef".repeat(4);
        UUID id = keys.insert(new NewKey(user, hash, "dsk_test_Abc", "ci key", List.of("ai.chat", "ai.code"),
                5, 50, 500, "pro", "development", List.of("10.0.0.0/8", "2001:db8::/32", "203.0.113.7"),
                expires, true, "https://hooks.example.com/k"));

        StoredKey k = keys.findByHash(hash).orElseThrow();
        assertThat(k.id()).isEqualTo(id);
        assertThat(k.userId()).isEqualTo(user);
        assertThat(k.keyPrefix()).isEqualTo("dsk_test_Abc");
        assertThat(k.name()).isEqualTo("ci key");
        assertThat(k.scopes()).containsExactly("ai.chat", "ai.code");
        assertThat(k.rateLimitPerMinute()).isEqualTo(5);
        assertThat(k.rateLimitPerHour()).isEqualTo(50);
        assertThat(k.rateLimitPerDay()).isEqualTo(500);
        assertThat(k.subscriptionTier()).isEqualTo("pro");
        assertThat(k.environment()).isEqualTo("development");
        assertThat(k.allowedIps()).containsExactly("10.0.0.0/8", "2001:db8::/32", "203.0.113.7");
        assertThat(k.expiresAt()).isEqualTo(expires);
        assertThat(k.internal()).isTrue();
        assertThat(k.active()).isTrue();
        assertThat(k.userActive()).isTrue();
        assertThat(k.revoked()).isFalse();
        assertThat(keys.findById(id)).contains(k);
    }

    @Test
    void keyWithDefaultsAndUnknownHash() {
        UUID user = users.insert("defaults@example.com", null);
        String hash = "f".repeat(64);
        keys.insert(NewKey.withDefaults(user, hash, "dsk_live_Xyz", "default key", List.of("ai.image")));

        StoredKey k = keys.findByHash(hash).orElseThrow();
        assertThat(k.rateLimitPerMinute()).isEqualTo(60);
        assertThat(k.rateLimitPerHour()).isEqualTo(1000);
        assertThat(k.rateLimitPerDay()).isEqualTo(10000);
        assertThat(k.subscriptionTier()).isEqualTo("free");
        assertThat(k.environment()).isEqualTo("production");
        assertThat(k.allowedIps()).isEmpty();
        assertThat(k.internal()).isFalse();
        assertThat(keys.findByHash("e".repeat(64))).isEmpty();
    }

    @Test
    void keyCarriesItsTokenLimitsBudgetsAndTheOwnersTierGivingSubscriptions() {
        UUID user = users.insert("budgets@example.com", null);
        String hash = "2".repeat(64);
        UUID id = keys.insert(NewKey.withDefaults(user, hash, "dsk_live_Bud", "budget key", List.of("ai.chat")));
        StoredKey plain = keys.findByHash(hash).orElseThrow();
        assertThat(plain.rateLimitTokensPerMinute()).isNull();
        assertThat(plain.rateLimitTokensPerDay()).isNull();
        assertThat(plain.monthlyBudgetUsd()).isNull();
        assertThat(plain.userMonthlyBudgetUsd()).isNull();
        assertThat(plain.subscriptions()).isEmpty();

        dsl.execute("update api_keys set rate_limit_tokens_per_minute = 1000, rate_limit_tokens_per_day = 3000000000,"
                + " monthly_budget_usd = 12.5 where id = ?", id);
        dsl.execute("update users set monthly_budget_usd = 100 where id = ?", user);
        Instant t = Instant.parse("2026-03-01T00:00:00Z");
        String sub = "insert into user_subscriptions (user_id, tier, status, current_period_start, current_period_end)"
                + " values (?, ?, ?, ?::timestamptz, ?::timestamptz)";
        String start = t.toString();
        String end = t.plus(31, ChronoUnit.DAYS).toString();
        dsl.execute(sub, user, "enterprise", "trialing", end, t.plus(45, ChronoUnit.DAYS).toString());
        dsl.execute(sub, user, "pro", "active", start, end);
        dsl.execute(sub, user, "enterprise", "cancelled", start, end);
        dsl.execute(sub, user, "enterprise", "past_due", start, end);
        UUID other = users.insert("other-subscriber@example.com", null);
        dsl.execute(sub, other, "enterprise", "active", start, end);

        StoredKey k = keys.findById(id).orElseThrow();
        assertThat(k.rateLimitTokensPerMinute()).isEqualTo(1000L);
        assertThat(k.rateLimitTokensPerDay()).isEqualTo(3_000_000_000L);
        assertThat(k.monthlyBudgetUsd()).isEqualByComparingTo("12.5");
        assertThat(k.userMonthlyBudgetUsd()).isEqualByComparingTo("100");
        assertThat(k.subscriptions()).as("active and trialing only, in period order, the owner's only").containsExactly(
                new StoredSubscription("pro", "active", t, t.plus(31, ChronoUnit.DAYS)),
                new StoredSubscription("enterprise", "trialing", t.plus(31, ChronoUnit.DAYS), t.plus(45, ChronoUnit.DAYS)));
        assertThat(keys.findByHash(hash)).contains(k);
    }

    @Test
    void spendOfAMonthComesFromTheRollupsOfItsHoursWithoutInternalKeysForTheUser() {
        UUID user = users.insert("spend@example.com", null);
        UUID key = keys.insert(NewKey.withDefaults(user, "3".repeat(64), "dsk_live_Sp1", "a", List.of("ai.chat")));
        UUID second = keys.insert(NewKey.withDefaults(user, "4".repeat(64), "dsk_live_Sp2", "b", List.of("ai.chat")));
        UUID internal = keys.insert(NewKey.withDefaults(user, "5".repeat(64), "dsk_live_Sp3", "c", List.of("ai.chat")));
        dsl.execute("update api_keys set is_internal = true where id = ?", internal);
        UUID strangerUser = users.insert("stranger@example.com", null);
        UUID stranger = keys.insert(NewKey.withDefaults(strangerUser, "6".repeat(64), "dsk_live_Sp4", "d",
                List.of("ai.chat")));
        Instant march = Instant.parse("2026-03-01T00:00:00Z");
        Instant april = Instant.parse("2026-04-01T00:00:00Z");
        rollup(key, user, "2026-02-28T23:00:00Z", "1.00000000");   // last hour of February
        rollup(key, user, "2026-03-01T00:00:00Z", "0.25000000");   // first hour of March
        rollup(key, user, "2026-03-31T23:00:00Z", "0.00000001");   // last hour of March
        rollup(key, user, "2026-04-01T00:00:00Z", "7.00000000");   // first hour of April
        rollup(second, user, "2026-03-15T12:00:00Z", "2.00000000");
        rollup(internal, user, "2026-03-15T12:00:00Z", "50.00000000");
        rollup(stranger, strangerUser, "2026-03-15T12:00:00Z", "9.00000000");

        SpendRepository spend = new SpendRepository(dsl);
        assertThat(spend.keySpend(key, march, april)).isEqualByComparingTo("0.25000001");
        assertThat(spend.keySpend(internal, march, april)).as("a key's own spend counts its rows")
                .isEqualByComparingTo("50");
        assertThat(spend.userSpend(user, march, april)).as("the user's keys, not the internal one")
                .isEqualByComparingTo("2.25000001");
        assertThat(spend.keySpend(key, april, Instant.parse("2026-05-01T00:00:00Z"))).isEqualByComparingTo("7");
        assertThat(spend.userSpend(UUID.randomUUID(), march, april)).isEqualByComparingTo("0");
    }

    private void rollup(UUID key, UUID user, String hour, String cost) {
        dsl.execute("insert into api_usage_hourly (api_key_id, user_id, endpoint, model, hour, request_count, cost_usd)"
                + " values (?, ?, '/v1/chat/completions', 'dalsi-ai', ?::timestamptz, 1, ?::numeric)", key, user, hour, cost);
    }

    @Test
    void productRoundTripAndUpsertByName() {
        ProductRepository products = new ProductRepository(dsl);
        Product chat = new Product(null, "ai.chat", "Chat", "Chat completions", "text", new BigDecimal("0.00000000"),
                new BigDecimal("0.00200000"), 4096, List.of("/v1/chat/completions"), List.of("ai.chat"), "free",
                true, true, "chat");
        UUID id = products.upsert(chat);
        UUID again = products.upsert(new Product(null, "ai.chat", "Chat v2", null, null, BigDecimal.ZERO,
                new BigDecimal("0.00300000"), 8192, List.of("/v1/chat/completions"), List.of("ai.chat"), "pro",
                true, false, "responses"));
        assertThat(again).isEqualTo(id);

        Product stored = products.findById(id).orElseThrow();
        assertThat(stored.displayName()).isEqualTo("Chat v2");
        assertThat(stored.pricePer1kTokens()).isEqualByComparingTo("0.003");
        assertThat(stored.maxTokensPerRequest()).isEqualTo(8192);
        assertThat(stored.endpoints()).containsExactly("/v1/chat/completions");
        assertThat(stored.requiredScopes()).containsExactly("ai.chat");
        assertThat(stored.requiredSubscriptionTier()).isEqualTo("pro");
        assertThat(stored.isPublic()).isFalse();
        assertThat(stored.kind()).isEqualTo("responses");
        assertThat(products.findAll()).extracting(Product::name).containsExactly("ai.chat");
    }

    @Test
    void modelRoundTrip() {
        ModelRepository models = new ModelRepository(dsl);
        UUID id = models.upsert(new Model(null, "dalsi-aivi", "1.0", "multimodal", "{\"vision\": true}",
                "{\"input_per_1k\": \"0.0010\", \"output_per_1k\": \"0.0020\", \"per_image\": \"0.04\"}", true, true));
        Model m = models.findByName("dalsi-aivi").orElseThrow();
        assertThat(m.id()).isEqualTo(id);
        assertThat(m.type()).isEqualTo("multimodal");
        assertThat(m.requiresSubscription()).isTrue();
        assertThat(m.pricingJson()).contains("\"per_image\": \"0.04\"");
        assertThat(m.capabilitiesJson()).isEqualTo("{\"vision\": true}");
        assertThat(models.findAll()).extracting(Model::name).contains("dalsi-aivi");
    }

    @Test
    void usageBatchInsertsEveryRowOnceAndReportsWhatItInserted() {
        UUID user = users.insert("usage@example.com", null);
        UUID key = keys.insert(NewKey.withDefaults(user, "1".repeat(64), "dsk_live_Use", "usage", List.of("ai.chat")));
        UsageRepository usage = new UsageRepository(dsl);

        List<UsageRow> batch = new ArrayList<>();
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < 250; i++) {
            Instant at = base.plusMillis(i);
            UUID id = UuidV7.at(at);
            batch.add(new UsageRow(id, user, key, "/v1/chat/completions", "POST", i % 10 == 0 ? 429 : 200, 12,
                    300, 900, i % 2 == 0 ? "203.0.113.9" : "2001:db8::9", 42, new BigDecimal("0.00008400"), "free",
                    i % 10 == 0 ? "rate limit" : null, "{\"model\":\"dalsi-ai\",\"stream\":false}", "openai-java/4",
                    59, at.plusSeconds(60), at));
        }
        Set<UUID> first = usage.insertBatch(batch);
        assertThat(first).hasSize(250);
        assertThat(usage.insertBatch(batch)).isEmpty();
        assertThat(usage.insertBatch(batch.subList(0, 10))).isEmpty();
        assertThat(usage.count()).isEqualTo(250);

        var row = dsl.resultQuery("select status_code, host(ip_address), cost_usd, request_metadata->>'model',"
                + " tokens_used, rate_limit_remaining from api_usage_logs where id = ?", batch.get(1).id()).fetchOne();
        assertThat(row.intoArray()).containsExactly(200, "2001:db8::9", new BigDecimal("0.00008400"),
                "dalsi-ai", 42, 59);
        assertThat(dsl.resultQuery("select sum(tokens_used) from api_usage_logs").fetchOne(0, Long.class))
                .isEqualTo(250L * 42);
    }
}
