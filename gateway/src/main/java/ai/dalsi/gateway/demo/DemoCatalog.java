package ai.dalsi.gateway.demo;

import static ai.dalsi.persistence.schema.Tables.API_KEYS;

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
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * What the {@code demo} command puts in the database: five products, two models, a demo user and a
 * new demo key per run. Seeding is idempotent: a product, model or user that already exists (by
 * name or email) is left as it is, including any change an admin made to it. The key is created
 * apart ({@link #createKey}), once the node serves, so a demo that fails to start leaves no key.
 *
 * <table>
 *   <caption>The catalog</caption>
 *   <tr><th>product</th><th>kind</th><th>endpoint</th><th>scope</th><th>tier</th><th>max tokens</th><th>price</th></tr>
 *   <tr><td>ai.chat</td><td>chat</td><td>POST /v1/chat/completions</td><td>ai.chat</td><td>free</td><td>4096</td>
 *       <td>$0.002 per 1k tokens (models priced per token use their own price)</td></tr>
 *   <tr><td>ai.responses</td><td>responses</td><td>POST /v1/responses</td><td>ai.chat</td><td>free</td><td>4096</td>
 *       <td>as ai.chat</td></tr>
 *   <tr><td>ai.code</td><td>completion</td><td>POST /v1/completions</td><td>ai.code</td><td>free</td><td>8192</td>
 *       <td>$0.003 per 1k tokens</td></tr>
 *   <tr><td>ai.image</td><td>image</td><td>POST /v1/images/generations</td><td>ai.image</td><td>pro</td><td>1000</td>
 *       <td>$0.01 per request, plus the model's price per image</td></tr>
 *   <tr><td>ai.embed</td><td>embedding</td><td>POST /v1/embeddings</td><td>ai.embed</td><td>free</td><td>8192</td>
 *       <td>input tokens at the model's input price</td></tr>
 * </table>
 *
 * Models: {@value #TEXT_MODEL} (text; input $0.0005, output $0.0015 per 1k tokens) and
 * {@value #VISION_MODEL} (multimodal, for subscribers; input $0.001, output $0.003 per 1k tokens,
 * $0.04 per image). The demo key is a production key of tier {@code pro} with all four scopes, so
 * it can call every product with either model; images are a pro feature, as on a real price list.
 * {@code /v1/responses} needs the chat scope: it is another way to chat.
 */
public final class DemoCatalog {

    /** The text model. */
    public static final String TEXT_MODEL = "dalsi-ai";
    /** The multimodal model. */
    public static final String VISION_MODEL = "dalsi-aivi";
    /** Both models, as the simulated backend lists them. */
    public static final List<String> MODELS = List.of(TEXT_MODEL, VISION_MODEL);
    /** Email of the demo user. */
    public static final String USER_EMAIL = "demo@example.com";
    /** Scopes of the demo key. */
    public static final List<String> SCOPES = List.of("ai.chat", "ai.code", "ai.image", "ai.embed");

    /** What a run found and created. */
    public record Seeded(List<String> created, List<String> present, UUID userId, List<String> endpointConflicts) {
    }

    /** A new demo key: its id, the plaintext (shown once) and its request limits (the schema's defaults). */
    public record DemoKey(UUID id, String key, int perMinute, int perHour, int perDay) {
    }

    /** What the demo user's keys have used so far (their totals in {@code api_keys}). */
    public record Usage(long requests, long tokens, BigDecimal costUsd) {
    }

    private final DSLContext dsl;
    private final SecureRandom random;
    private final Clock clock;

    public DemoCatalog(DSLContext dsl, SecureRandom random, Clock clock) {
        this.dsl = dsl;
        this.random = random;
        this.clock = clock;
    }

    static List<Product> products() {
        return List.of(
                product("ai.chat", "Chat", "Chat completions", "/v1/chat/completions", "ai.chat", "free", 4096, "0",
                        "0.002", "chat"),
                product("ai.code", "Code", "Code and text completions", "/v1/completions", "ai.code", "free", 8192, "0",
                        "0.003", "completion"),
                product("ai.image", "Images", "Image generation", "/v1/images/generations", "ai.image", "pro", 1000,
                        "0.01", "0", "image"),
                product("ai.embed", "Embeddings", "Text embeddings", "/v1/embeddings", "ai.embed", "free", 8192, "0",
                        "0.0001", "embedding"),
                product("ai.responses", "Responses", "The Responses API", "/v1/responses", "ai.chat", "free", 4096, "0",
                        "0.002", "responses"));
    }

    static List<Model> models() {
        return List.of(
                new Model(null, TEXT_MODEL, "1", "text", "{\"chat\": true, \"completions\": true}",
                        "{\"input_per_1k\": 0.0005, \"output_per_1k\": 0.0015}", true, false),
                new Model(null, VISION_MODEL, "1", "multimodal",
                        "{\"chat\": true, \"vision\": true, \"image_generation\": true}",
                        "{\"input_per_1k\": 0.001, \"output_per_1k\": 0.003, \"per_image\": 0.04}", true, true));
    }

    private static Product product(String name, String display, String description, String endpoint, String scope,
            String tier, int maxTokens, String base, String per1k, String kind) {
        return new Product(null, name, display, description, "ai", new BigDecimal(base), new BigDecimal(per1k),
                maxTokens, List.of(endpoint), List.of(scope), tier, true, true, kind);
    }

    /**
     * Creates what is missing, in one transaction (so two demos started at once cannot leave half a
     * catalog).
     */
    public Seeded seed() {
        return dsl.transactionResult(c -> {
            DSLContext tx = c.dsl();
            List<String> created = new ArrayList<>();
            List<String> present = new ArrayList<>();
            ProductRepository products = new ProductRepository(tx);
            List<Product> existing = products.findAll();
            Set<String> names = existing.stream().map(Product::name).collect(Collectors.toSet());
            List<String> conflicts = new ArrayList<>();
            for (Product p : products()) {
                if (names.contains(p.name())) {
                    present.add("product " + p.name());
                    continue;
                }
                for (Product other : existing) {
                    if (other.active() && other.endpoints().stream().anyMatch(p.endpoints()::contains)) {
                        conflicts.add(p.endpoints().get(0) + " is already served by product " + other.name());
                    }
                }
                products.upsert(p);
                created.add("product " + p.name());
            }
            ModelRepository models = new ModelRepository(tx);
            for (Model m : models()) {
                if (models.findByName(m.name()).isPresent()) {
                    present.add("model " + m.name());
                } else {
                    models.upsert(m);
                    created.add("model " + m.name());
                }
            }
            UserRepository users = new UserRepository(tx);
            UUID userId = users.findByEmail(USER_EMAIL).map(u -> u.id()).orElse(null);
            if (userId == null) {
                userId = users.insert(USER_EMAIL, "Demo User");
                created.add("user " + USER_EMAIL);
            } else {
                present.add("user " + USER_EMAIL);
            }
            return new Seeded(List.copyOf(created), List.copyOf(present), userId, List.copyOf(conflicts));
        });
    }

    /** A new production key of tier pro with all three scopes for the demo user; the database keeps its hash. */
    public DemoKey createKey(UUID userId) {
        String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, random);
        UUID keyId = new ApiKeyRepository(dsl).insert(new NewKey(userId, ApiKeyFormat.sha256Hex(key),
                ApiKeyFormat.displayPrefix(key), "demo key " + clock.instant(), SCOPES, null, null, null, "pro",
                KeyEnvironment.PRODUCTION.dbValue(), null, null, false, null));
        var limits = dsl.select(API_KEYS.RATE_LIMIT_PER_MINUTE, API_KEYS.RATE_LIMIT_PER_HOUR, API_KEYS.RATE_LIMIT_PER_DAY)
                .from(API_KEYS).where(API_KEYS.ID.eq(keyId)).fetchSingle();
        return new DemoKey(keyId, key, limits.value1(), limits.value2(), limits.value3());
    }

    /** The totals of every key of the demo user: the usage of earlier runs, kept in the database. */
    public Usage usage(UUID userId) {
        var row = dsl.select(DSL.coalesce(DSL.sum(API_KEYS.TOTAL_REQUESTS), BigDecimal.ZERO),
                        DSL.coalesce(DSL.sum(API_KEYS.TOTAL_TOKENS_USED), BigDecimal.ZERO),
                        DSL.coalesce(DSL.sum(API_KEYS.TOTAL_COST_USD), BigDecimal.ZERO))
                .from(API_KEYS).where(API_KEYS.USER_ID.eq(userId)).fetchOne();
        return new Usage(row.value1().longValue(), row.value2().longValue(), row.value3());
    }
}
