package ai.dalsi.gateway.testing;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;
import static ai.dalsi.persistence.schema.Tables.USERS;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.Model;
import ai.dalsi.persistence.repo.ModelRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.Product;
import ai.dalsi.persistence.repo.ProductRepository;
import ai.dalsi.persistence.repo.UserRepository;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Seeds what an edge test needs: the products, a few models, users and keys (returned in
 * plaintext, as a client would hold them).
 *
 * <p>The standard catalog: {@code ai.chat} ({@code /v1/chat/completions}, scope ai.chat, free tier,
 * 2048 tokens, $0.002/1k), {@code ai.code} ({@code /v1/completions}, scope ai.code, free),
 * {@code ai.image} ({@code /v1/images/generations}, scope ai.image, pro tier, kind image). Models:
 * {@value #CHAT_MODEL} (input $0.001/1k, output $0.002/1k), {@value #CODE_MODEL},
 * {@value #IMAGE_MODEL} ($0.04 per image), {@value #PREMIUM_MODEL} (requires a subscription),
 * {@value #RETIRED_MODEL} (inactive).
 */
public final class EdgeSeed {

    public static final String CHAT_MODEL = "dalsi-chat";
    public static final String CODE_MODEL = "dalsi-code";
    public static final String IMAGE_MODEL = "dalsi-image";
    public static final String PREMIUM_MODEL = "dalsi-premium";
    public static final String RETIRED_MODEL = "dalsi-retired";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final DSLContext dsl;

    public EdgeSeed(DSLContext dsl) {
        this.dsl = dsl;
    }

    /** The three products and five models above. */
    public EdgeSeed standardCatalog() {
        ProductRepository products = new ProductRepository(dsl);
        products.upsert(product("ai.chat", List.of("/v1/chat/completions"), "free", 2048, "0.002", "chat"));
        products.upsert(product("ai.code", List.of("/v1/completions"), "free", 2048, "0.001", "completion"));
        products.upsert(product("ai.image", List.of("/v1/images/generations"), "pro", 2048, "0", "image"));
        ModelRepository models = new ModelRepository(dsl);
        models.upsert(new Model(null, CHAT_MODEL, "1", "text", "{}",
                "{\"input_per_1k\": 0.001, \"output_per_1k\": 0.002}", true, false));
        models.upsert(new Model(null, CODE_MODEL, "1", "text", "{}", "{}", true, false));
        models.upsert(new Model(null, IMAGE_MODEL, "1", "multimodal", "{}", "{\"per_image\": 0.04}", true, false));
        models.upsert(new Model(null, PREMIUM_MODEL, "1", "text", "{}", "{}", true, true));
        models.upsert(new Model(null, RETIRED_MODEL, "1", "text", "{}", "{}", false, false));
        return this;
    }

    /**
     * The standard catalog plus {@code ai.embed} ({@code /v1/embeddings}, scope ai.embed, kind embedding,
     * free, $0.0001/1k) and {@code ai.responses} ({@code /v1/responses}, scope ai.chat, kind responses,
     * free, $0.002/1k), as the demo has them.
     */
    public EdgeSeed withEmbeddingsAndResponses() {
        ProductRepository products = new ProductRepository(dsl);
        products.upsert(new Product(null, "ai.embed", "ai.embed", null, "ai", BigDecimal.ZERO, new BigDecimal("0.0001"),
                8192, List.of("/v1/embeddings"), List.of("ai.embed"), "free", true, true, "embedding"));
        products.upsert(new Product(null, "ai.responses", "ai.responses", null, "ai", BigDecimal.ZERO,
                new BigDecimal("0.002"), 2048, List.of("/v1/responses"), List.of("ai.chat"), "free", true, true,
                "responses"));
        return this;
    }

    public static Product product(String name, List<String> endpoints, String tier, int maxTokens, String per1k,
            String kind) {
        return new Product(null, name, name, null, "ai", BigDecimal.ZERO, new BigDecimal(per1k), maxTokens, endpoints,
                List.of(name), tier, true, true, kind);
    }

    /** A new active user. */
    public UUID user() {
        return new UserRepository(dsl).insert("user-" + UUID.randomUUID() + "@example.com", "Test User");
    }

    /** A key as specified, for a new user; returns the plaintext key. */
    public String key(KeySpec spec) {
        return key(user(), spec);
    }

    /** A key as specified, for this user; returns the plaintext key. */
    public String key(UUID userId, KeySpec spec) {
        KeyEnvironment env = KeyEnvironment.ofDbValue(spec.environment());
        String key = ApiKeyFormat.generate(env == null ? KeyEnvironment.PRODUCTION : env, RANDOM);
        return store(key, userId, spec);
    }

    /** Stores this plaintext key as specified (for a key a client already holds). */
    public String store(String key, UUID userId, KeySpec spec) {
        new ApiKeyRepository(dsl).insert(new NewKey(userId, ApiKeyFormat.sha256Hex(key), ApiKeyFormat.displayPrefix(key),
                "test key", spec.scopes(), spec.perMinute(), spec.perHour(), spec.perDay(), spec.tier(),
                spec.environment(), spec.allowedIps(), spec.expiresAt(), spec.internal(), null));
        return key;
    }

    /** Revokes a key (as the admin API would). */
    public void revoke(String key) {
        dsl.update(API_KEYS).set(API_KEYS.REVOKED_AT, Instant.now()).set(API_KEYS.IS_ACTIVE, false)
                .set(API_KEYS.REVOKE_REASON, "test").where(API_KEYS.KEY_HASH.eq(ApiKeyFormat.sha256Hex(key))).execute();
    }

    /** Deactivates a key. */
    public void deactivate(String key) {
        dsl.update(API_KEYS).set(API_KEYS.IS_ACTIVE, false)
                .where(API_KEYS.KEY_HASH.eq(ApiKeyFormat.sha256Hex(key))).execute();
    }

    /** Changes a key's limits. */
    public void limits(String key, int minute, int hour, int day) {
        dsl.update(API_KEYS).set(API_KEYS.RATE_LIMIT_PER_MINUTE, minute).set(API_KEYS.RATE_LIMIT_PER_HOUR, hour)
                .set(API_KEYS.RATE_LIMIT_PER_DAY, day).where(API_KEYS.KEY_HASH.eq(ApiKeyFormat.sha256Hex(key))).execute();
    }

    /** Deactivates a user. */
    public void deactivateUser(UUID userId) {
        dsl.update(USERS).set(USERS.IS_ACTIVE, false).where(USERS.ID.eq(userId)).execute();
    }

    /** The id of a key. */
    public UUID keyId(String key) {
        return dsl.select(API_KEYS.ID).from(API_KEYS).where(API_KEYS.KEY_HASH.eq(ApiKeyFormat.sha256Hex(key)))
                .fetchOne(API_KEYS.ID);
    }
}
