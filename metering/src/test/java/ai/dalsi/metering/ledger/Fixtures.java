package ai.dalsi.metering.ledger;

import ai.dalsi.metering.TokenUsage;
import ai.dalsi.metering.UsageEvent;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.repo.ApiKeyRepository;
import ai.dalsi.persistence.repo.NewKey;
import ai.dalsi.persistence.repo.UserRepository;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.jooq.DSLContext;

/** Users, keys and realistic usage events for metering tests and benchmarks. */
public final class Fixtures {

    /** A key and its owner. */
    public record Key(UUID userId, UUID keyId) {
    }

    private static final String[] ENDPOINTS = {"/v1/chat/completions", "/v1/completions", "/v1/images/generations"};
    private static final String[] MODELS = {"dalsi-chat", "dalsi-code", "dalsi-aivi", null};
    private static final int[] STATUSES = {200, 200, 200, 200, 200, 200, 200, 429, 502, 499};

    private Fixtures() {
    }

    /** Creates {@code users} users with {@code keysPerUser} keys each. */
    public static List<Key> keys(DSLContext dsl, String tag, int users, int keysPerUser) {
        return keys(dsl, tag, users, keysPerUser, false);
    }

    /** Like {@link #keys(DSLContext, String, int, int)}, marking the keys internal or not. */
    public static List<Key> keys(DSLContext dsl, String tag, int users, int keysPerUser, boolean internal) {
        UserRepository userRepo = new UserRepository(dsl);
        ApiKeyRepository keyRepo = new ApiKeyRepository(dsl);
        List<Key> keys = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            UUID user = userRepo.insert(tag + "-" + u + "-" + UUID.randomUUID() + "@example.com", "User " + u);
            for (int k = 0; k < keysPerUser; k++) {
                keys.add(new Key(user, key(keyRepo, user, internal)));
            }
        }
        return keys;
    }

    /** Creates one more key for an existing user. */
    public static UUID key(ApiKeyRepository keyRepo, UUID user, boolean internal) {
        byte[] hash = new byte[32];
        new SplittableRandom().nextBytes(hash);
        NewKey base = NewKey.withDefaults(user, HexFormat.of().formatHex(hash), "dsk_test_abc", "key",
                List.of("ai.chat"));
        return keyRepo.insert(new NewKey(base.userId(), base.keyHash(), base.keyPrefix(), base.name(), base.scopes(),
                null, null, null, "pro", null, null, null, internal, null));
    }

    /** {@code n} events spread over the keys, at instants from {@code start} on, one every {@code stepMillis}. */
    public static List<UsageEvent> events(List<Key> keys, int n, Instant start, long stepMillis, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<UsageEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Key key = keys.get(random.nextInt(keys.size()));
            Instant at = start.plusMillis(i * stepMillis);
            events.add(event(key, at, random));
        }
        return events;
    }

    /** One event of the key at the instant. */
    public static UsageEvent event(Key key, Instant at, SplittableRandom random) {
        int status = STATUSES[random.nextInt(STATUSES.length)];
        boolean ok = status < 300;
        int prompt = ok ? 10 + random.nextInt(2000) : 0;
        int completion = ok ? random.nextInt(1000) : 0;
        String model = MODELS[random.nextInt(MODELS.length)];
        TokenUsage usage = ok && random.nextInt(20) == 0
                ? TokenUsage.estimate(400, 1200, 0) : TokenUsage.reported(prompt, completion, 0);
        BigDecimal cost = ok ? BigDecimal.valueOf(usage.totalTokens()).multiply(new BigDecimal("0.00000150"))
                .add(new BigDecimal("0.00010000")) : BigDecimal.ZERO;
        return UsageEvent.builder(UuidV7.at(at), key.userId(), key.keyId())
                .endpoint(ENDPOINTS[random.nextInt(ENDPOINTS.length)])
                .method("POST")
                .statusCode(status)
                .responseTimeMs(5 + random.nextInt(3000))
                .requestSizeBytes(200 + random.nextInt(4000))
                .responseSizeBytes(ok ? 100 + random.nextInt(20000) : 120)
                .clientIp(random.nextBoolean() ? "203.0.113." + random.nextInt(256) : "2001:db8::" + random.nextInt(9999))
                .usage(usage)
                .costUsd(cost)
                .subscriptionTier("pro")
                .errorMessage(ok ? null : "upstream said \"no\"")
                .userAgent("OpenAI/Python 1.54.0")
                .rateLimitRemaining(random.nextInt(1000))
                .rateLimitReset(at.plusSeconds(60))
                .model(model)
                .product("ai.chat")
                .stream(random.nextBoolean())
                .backendLatencyMs(ok ? random.nextInt(2000) : null)
                .clientAborted(status == 499)
                .build();
    }
}
