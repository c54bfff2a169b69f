package ai.dalsi.gateway.edge;

import ai.dalsi.gateway.auth.ApiKeyFormat;
import ai.dalsi.gateway.auth.CredentialExtractor;
import ai.dalsi.gateway.auth.KeyCache;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.auth.Tier;
import ai.dalsi.gateway.authz.AuthorizationPolicy;
import ai.dalsi.gateway.catalog.Catalog;
import ai.dalsi.gateway.flags.FeatureFlags;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.net.ClientAddressResolver;
import ai.dalsi.gateway.net.IpRanges;
import ai.dalsi.gateway.proxy.BackendGroup;
import ai.dalsi.gateway.proxy.BackendTarget;
import ai.dalsi.gateway.ratelimit.KeyRateLimiter;
import ai.dalsi.gateway.testing.CannedBackendProxy;
import ai.dalsi.gateway.testing.FakeTime;
import ai.dalsi.gateway.testing.RecordingEdgeMetrics;
import ai.dalsi.gateway.testing.RecordingUsageSink;
import ai.dalsi.persistence.UuidV7;
import ai.dalsi.persistence.repo.StoredKey;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import ai.dalsi.metering.ProductKind;
import ai.dalsi.metering.tokens.TokenCounter;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The request path's dependencies without a database or a network: keys in a map (loaded
 * synchronously), a fixed catalog ({@code ai.chat} for free keys with model {@code chat-1};
 * {@code ai.image}, tier pro; model {@code vision-1} for subscribers only), the local limiter and
 * fake time, a recording sink and metrics, a canned proxy. Builds the steps as {@link RequestPath}
 * does, plus an {@link EmbeddedChannel} with the sequencer, the stamp and the path handler.
 */
final class StepFixture {

    static final String CHAT = "/v1/chat/completions";
    static final String CHAT_MODEL = "chat-1";
    static final String VISION_MODEL = "vision-1";

    final FakeTime time = new FakeTime(Instant.parse("2026-05-04T03:02:01Z"));
    final RecordingUsageSink sink = new RecordingUsageSink();
    final RecordingEdgeMetrics metrics = new RecordingEdgeMetrics();
    final CannedBackendProxy proxy = new CannedBackendProxy();
    final Map<String, StoredKey> keys = new ConcurrentHashMap<>();
    /** Key loads waiting to run while {@link #deferKeyLoads} is set (else they run at once). */
    final java.util.ArrayDeque<Runnable> keyLoads = new java.util.ArrayDeque<>();
    boolean deferKeyLoads;
    final KeyCache cache = new KeyCache(hash -> Optional.ofNullable(keys.get(hash)),
            r -> {
                if (deferKeyLoads) {
                    keyLoads.add(r);
                } else {
                    r.run();
                }
            }, time, 100,
            Duration.ofSeconds(30), Duration.ofMinutes(10), Duration.ofSeconds(5));
    final KeyRateLimiter limiter = KeyRateLimiter.local(time, time, 1000);
    final ProductInfo chat = new ProductInfo("ai.chat", List.of("ai.chat"), Tier.FREE, 100, true, BigDecimal.ONE,
            BigDecimal.ZERO, ProductKind.CHAT);
    final ProductInfo image = new ProductInfo("ai.image", List.of("ai.image"), Tier.PRO, 100, true, BigDecimal.ONE,
            BigDecimal.ZERO, ProductKind.IMAGE);
    final Catalog catalog = Catalog.of(List.of(chat, image),
            Map.of(chat, List.of(CHAT), image, List.of("/v1/images/generations")),
            List.of(new ModelInfo(CHAT_MODEL, true, false, null, null, null, 1),
                    new ModelInfo(VISION_MODEL, true, true, null, null, null, 2)));
    final Supplier<Catalog> catalogs = () -> catalog;
    final AuthorizationPolicy policy = new AuthorizationPolicy(Set.of(KeyEnvironment.PRODUCTION));
    final ExchangeFinisher finisher = new ExchangeFinisher(sink, metrics, limiter, new UsageEvents(time),
            TokenCounter.byModelFamily());
    final BodyBudget budget = new BodyBudget(4096, 2048);
    final List<ExchangeStep> steps = RequestPath.steps(new ClientAddressResolver(IpRanges.parse(List.of(), "t")),
            new CredentialExtractor(), cache, policy, time, catalogs, new RequestBodyParser(), 1024, budget, limiter,
            TokenCounter.byModelFamily(), model -> BackendGroup.single(new BackendTarget(URI.create("http://127.0.0.1:9"), null)),
            sink, () -> this.flags);
    /** The feature flags the steps see; tests replace them. */
    volatile FeatureFlags flags = FeatureFlags.NONE;

    /** Runs the key loads that were deferred. */
    void runKeyLoads() {
        Runnable r;
        while ((r = keyLoads.poll()) != null) {
            r.run();
        }
    }

    /** Stores a key and returns its plaintext. */
    String key(String tier, int perMinute, String... scopes) {
        return key(tier, perMinute, null, scopes);
    }

    /** A key that was revoked {@code revokedAt} (null: not revoked). */
    String key(String tier, int perMinute, Instant revokedAt, String... scopes) {
        String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, new SecureRandom());
        String hash = ApiKeyFormat.sha256Hex(key);
        keys.put(hash, new StoredKey(UUID.randomUUID(), UUID.randomUUID(), hash, ApiKeyFormat.displayPrefix(key), "k",
                revokedAt == null, true, List.of(scopes), perMinute, 1000, 10000, tier, null, List.of(), "production",
                false, revokedAt, revokedAt == null ? null : "test", time.instant()));
        return key;
    }

    /** A free chat key with these token limits and budgets (null: none), 100 requests a minute. */
    String keyWithLimits(Long tokensPerMinute, BigDecimal keyBudget, BigDecimal userBudget) {
        String key = ApiKeyFormat.generate(KeyEnvironment.PRODUCTION, new SecureRandom());
        String hash = ApiKeyFormat.sha256Hex(key);
        keys.put(hash, new StoredKey(UUID.randomUUID(), UUID.randomUUID(), hash, ApiKeyFormat.displayPrefix(key), "k",
                true, true, List.of("ai.chat"), 100, 1000, 10000, "free", null, List.of(), "production", false, null,
                null, time.instant(), tokensPerMinute, null, keyBudget, userBudget, List.of()));
        return key;
    }

    static FullHttpRequest request(HttpMethod method, String uri, String key, String json) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri,
                json == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        if (key != null) {
            r.headers().set("authorization", "Bearer " + key);
        }
        return r;
    }

    static FullHttpRequest chat(String key, String model) {
        return request(HttpMethod.POST, CHAT, key, "{\"model\":\"" + model + "\",\"messages\":[]}");
    }

    /** The exchange of a request, as the sequencer makes it (no peer, no connection). */
    Exchange exchange(FullHttpRequest request) {
        return Exchange.of(UuidV7.at(time.millis()), System.nanoTime(), request);
    }

    /** An exchange after the steps before {@code step} (an index into the path) succeeded. */
    Exchange through(FullHttpRequest request, int step) {
        Exchange ex = exchange(request);
        for (int i = 0; i < step; i++) {
            StepResult r = steps.get(i).apply(ex);
            if (!(r instanceof Learned l)) {
                ex.releaseBody();
                throw new AssertionError("step " + i + " did not go on: " + r);
            }
            ex.learn(l);
        }
        return ex;
    }

    /** A channel with the sequencer, the stamp and the path handler, as the initializer builds them. */
    EmbeddedChannel channel() {
        ConnectionState state = new ConnectionState();
        EdgeLifecycle lifecycle = new EdgeLifecycle();
        return new EmbeddedChannel(new RequestSequencer(state, lifecycle, time),
                new ResponseHeadersHandler(state, lifecycle),
                new RequestPathHandler(state, steps, finisher, new BackendHandOff(proxy, finisher)));
    }
}
