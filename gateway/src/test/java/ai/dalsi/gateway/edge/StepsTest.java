package ai.dalsi.gateway.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.flags.FeatureFlag;
import ai.dalsi.gateway.flags.FeatureFlags;
import ai.dalsi.gateway.ratelimit.RateLimitDecision;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The steps of the request path as plain functions: given an exchange as the steps before left
 * it, what each one decides (its refusals, what it learns), without a channel.
 */
class StepsTest {

    private static final int CONTEXT = 0;
    private static final int MAINTENANCE = 1;
    private static final int AUTHENTICATE = 2;
    private static final int KEY_CHECK = 3;
    private static final int ROUTE = 4;
    private static final int FULL_WINDOW = 5;
    private static final int READ_BODY = 6;
    private static final int BODY = 7;
    private static final int AUTHORIZE = 8;
    private static final int FLAGS = 9;
    private static final int RATE_LIMIT = 10;
    private static final int MODELS = 11;
    private static final int PROXY = 12;

    private final StepFixture f = new StepFixture();
    private Exchange ex;

    @AfterEach
    void release() {
        if (ex != null) {
            ex.releaseBody();
        }
    }

    private StepResult run(int step, Exchange exchange) {
        ex = exchange;
        return f.steps.get(step).apply(ex);
    }

    private static ErrorCode refusal(StepResult r) {
        assertThat(r).isInstanceOf(StepResult.Refusal.class);
        return ((StepResult.Refusal) r).code();
    }

    @Test
    void theContextStepLearnsTheCallerAndRefusesUndecodableRequests() {
        var request = StepFixture.chat(null, "m");
        request.headers().set("user-agent", "sdk/1");
        StepResult r = run(CONTEXT, f.exchange(request));
        assertThat(r).isEqualTo(new Learned.Caller(null, null, "sdk/1"));

        var broken = StepFixture.chat(null, "m");
        broken.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(new IllegalArgumentException("x")));
        ex.releaseBody();
        assertThat(refusal(run(CONTEXT, f.exchange(broken)))).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @ParameterizedTest
    @CsvSource({"none,invalid_api_key", "Bearer nonsense,invalid_api_key", "Basic abc,invalid_api_key"})
    void theAuthenticateStepRefusesMissingAndMalformedKeysWithoutALookup(String header, String code) {
        var request = StepFixture.chat(null, "m");
        if (!header.equals("none")) {
            request.headers().set("authorization", header);
        }
        assertThat(refusal(run(AUTHENTICATE, f.through(request, AUTHENTICATE))).code()).isEqualTo(code);
    }

    @Test
    void theAuthenticateStepLearnsAKnownKeyAndRefusesAnUnknownOne() {
        String key = f.key("free", 10, "ai.chat");
        StepResult r = run(AUTHENTICATE, f.through(StepFixture.chat(key, "m"), AUTHENTICATE));
        assertThat(r).isInstanceOf(Learned.Authenticated.class);
        assertThat(((Learned.Authenticated) r).key().keyPrefix()).isEqualTo(ai.dalsi.gateway.auth.ApiKeyFormat.displayPrefix(key));
        ex.releaseBody();
        String unknown = ai.dalsi.gateway.auth.ApiKeyFormat.generate(ai.dalsi.gateway.auth.KeyEnvironment.PRODUCTION,
                new java.security.SecureRandom());
        assertThat(run(AUTHENTICATE, f.through(StepFixture.chat(unknown, "m"), AUTHENTICATE)))
                .isSameAs(AuthenticateStep.INCORRECT);
    }

    @Test
    void theKeyCheckStepRefusesARevokedKey() {
        String revoked = f.key("free", 10, Instant.parse("2026-05-01T00:00:00Z"), "ai.chat");
        assertThat(refusal(run(KEY_CHECK, f.through(StepFixture.chat(revoked, "m"), KEY_CHECK))))
                .isEqualTo(ErrorCode.API_KEY_REVOKED);
        ex.releaseBody();
        String good = f.key("free", 10, "ai.chat");
        assertThat(run(KEY_CHECK, f.through(StepFixture.chat(good, "m"), KEY_CHECK))).isSameAs(Learned.NOTHING);
    }

    @Test
    void theRouteStepLearnsTheProductOrRefusesWithAllow() {
        String key = f.key("free", 10, "ai.chat");
        StepResult r = run(ROUTE, f.through(StepFixture.chat(key, "m"), ROUTE));
        assertThat(((Learned.Destination) r).product()).isEqualTo(f.chat);
        ex.releaseBody();
        StepResult.Refusal wrongMethod = (StepResult.Refusal) run(ROUTE,
                f.through(StepFixture.request(HttpMethod.GET, StepFixture.CHAT, key, null), ROUTE));
        assertThat(wrongMethod.code()).isEqualTo(ErrorCode.METHOD_NOT_ALLOWED);
        assertThat(wrongMethod.allow()).isEqualTo("POST");
        ex.releaseBody();
        assertThat(refusal(run(ROUTE, f.through(StepFixture.request(HttpMethod.GET, "/v1/nowhere", key, null), ROUTE))))
                .isEqualTo(ErrorCode.NOT_FOUND);
    }

    @Test
    void theBodyStepLearnsTheShapeAndAsksAStreamForItsUsage() {
        String key = f.key("free", 10, "ai.chat");
        var request = StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key,
                "{\"model\":\"chat-1\",\"stream\":true,\"max_tokens\":7,\"n\":2}");
        StepResult r = run(BODY, f.through(request, BODY));
        assertThat(r).isEqualTo(new Learned.RequestShape("chat-1", true, false, 2, 7));
        assertThat(ex.body().toString(StandardCharsets.UTF_8)).contains("\"stream_options\":{\"include_usage\":true}");
        ex.releaseBody();
        var invalid = StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key, "{\"messages\":[]}");
        StepResult.Refusal noModel = (StepResult.Refusal) run(BODY, f.through(invalid, BODY));
        assertThat(noModel.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(noModel.param()).isEqualTo("model");
    }

    @ParameterizedTest
    @CsvSource({
            "ai.chat, free, chat-1, 5,   ",
            "ai.code, free, chat-1, 5,   insufficient_scope",
            "ai.chat, free, nope,   5,   model_not_found",
            "ai.chat, free, vision-1, 5, subscription_required",
            "ai.chat, pro,  vision-1, 5, ",
            "ai.chat, free, chat-1, 500, invalid_request"})
    void theAuthorizeStepChecksScopeModelAndMaxTokens(String scope, String tier, String model, int maxTokens,
            String code) {
        String key = f.key(tier, 10, scope);
        var request = StepFixture.request(HttpMethod.POST, StepFixture.CHAT, key,
                "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + "}");
        StepResult r = run(AUTHORIZE, f.through(request, AUTHORIZE));
        if (code == null) {
            assertThat(((Learned.Authorized) r).model().name()).isEqualTo(model);
        } else {
            assertThat(refusal(r).code()).isEqualTo(code);
        }
    }

    private static FeatureFlag flag(String name, boolean enabled, int percent) {
        return new FeatureFlag(UUID.randomUUID(), name, null, enabled, percent, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void theFlagStepRefusesAProductOrModelSwitchedOffAndNamesTheSwitch() {
        String key = f.key("free", 10, "ai.chat");
        assertThat(run(FLAGS, f.through(StepFixture.chat(key, "chat-1"), FLAGS))).isSameAs(Learned.NOTHING);
        ex.releaseBody();

        f.flags = new FeatureFlags(List.of(flag("product:ai.chat", true, 100)));
        StepResult.Refusal product = (StepResult.Refusal) run(FLAGS, f.through(StepFixture.chat(key, "chat-1"), FLAGS));
        assertThat(product.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(product.message()).contains("'product:ai.chat'");
        ex.releaseBody();

        f.flags = new FeatureFlags(List.of(flag("model:chat-1", true, 100), flag("product:ai.chat", false, 100)));
        StepResult.Refusal model = (StepResult.Refusal) run(FLAGS, f.through(StepFixture.chat(key, "chat-1"), FLAGS));
        assertThat(model.message()).contains("'model:chat-1'");
        assertThat(model.param()).isEqualTo("model");
        ex.releaseBody();

        f.flags = new FeatureFlags(List.of(flag("model:chat-1", true, 0)));
        assertThat(run(FLAGS, f.through(StepFixture.chat(key, "chat-1"), FLAGS)))
                .as("a rollout of 0% is nobody").isSameAs(Learned.NOTHING);
    }

    @Test
    void maintenanceForEveryKeyRefusesBeforeAuthenticationWithRetryAfter() {
        f.flags = new FeatureFlags(List.of(flag("maintenance", true, 100)));
        StepResult.Refusal r = (StepResult.Refusal) run(MAINTENANCE, f.through(StepFixture.chat(null, "chat-1"),
                MAINTENANCE));
        assertThat(r.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
        assertThat(r.message()).contains("'maintenance'");
        assertThat(r.learned()).isEqualTo(new Learned.Paused(FlagStep.MAINTENANCE_RETRY_AFTER_SECONDS));
        ex.releaseBody();

        f.flags = new FeatureFlags(List.of(flag("maintenance", false, 100)));
        assertThat(run(MAINTENANCE, f.through(StepFixture.chat(null, "chat-1"), MAINTENANCE)))
                .isSameAs(Learned.NOTHING);
    }

    @Test
    void maintenanceForSomeKeysWaitsForTheKeyAndRefusesThoseInItsRollout() {
        String key = f.key("free", 10, "ai.chat");
        f.flags = new FeatureFlags(List.of(flag("maintenance", true, 99)));
        assertThat(run(MAINTENANCE, f.through(StepFixture.chat(key, "chat-1"), MAINTENANCE)))
                .as("not every key: the early step lets it pass").isSameAs(Learned.NOTHING);
        ex.releaseBody();
        Exchange through = f.through(StepFixture.chat(key, "chat-1"), FLAGS);
        int bucket = ai.dalsi.gateway.flags.Rollout.bucket("maintenance", through.key().id());
        f.flags = new FeatureFlags(List.of(flag("maintenance", true, bucket + 1)));
        StepResult.Refusal r = (StepResult.Refusal) run(FLAGS, through);
        assertThat(r.learned()).isEqualTo(new Learned.Paused(FlagStep.MAINTENANCE_RETRY_AFTER_SECONDS));
        ex.releaseBody();
        f.flags = new FeatureFlags(List.of(flag("maintenance", true, bucket)));
        assertThat(run(FLAGS, f.through(StepFixture.chat(key, "chat-1"), FLAGS))).isSameAs(Learned.NOTHING);
    }

    @Test
    void theRateLimitStepAdmitsUpToTheLimitThenRefusesWithItsDecision() {
        String key = f.key("free", 1, "ai.chat");
        // Both pass the head while the window has room (two requests at once); admission decides.
        Exchange second = f.through(StepFixture.chat(key, "chat-1"), RATE_LIMIT);
        StepResult first = run(RATE_LIMIT, f.through(StepFixture.chat(key, "chat-1"), RATE_LIMIT));
        assertThat(((Learned.Admitted) first).decision()).isInstanceOf(RateLimitDecision.Allowed.class);
        ex.releaseBody();
        StepResult.Refusal refused = (StepResult.Refusal) run(RATE_LIMIT, second);
        assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
        assertThat(refused.message()).contains("per minute");
        assertThat(((Learned.Admitted) refused.learned()).decision()).isInstanceOf(RateLimitDecision.Limited.class);
    }

    @Test
    void theFullWindowStepRefusesFromTheHeadOnlyAKeyWhoseRequestWindowIsFull() {
        String key = f.key("free", 2, "ai.chat");
        assertThat(run(FULL_WINDOW, f.through(StepFixture.chat(key, "chat-1"), FULL_WINDOW)))
                .as("a key not seen yet has every window free").isSameAs(Learned.NOTHING);
        admit(key);
        assertThat(run(FULL_WINDOW, f.through(StepFixture.chat(key, "chat-1"), FULL_WINDOW)))
                .as("one request left").isSameAs(Learned.NOTHING);
        admit(key); // looking took nothing: the second request still fits
        StepResult.Refusal refused = (StepResult.Refusal) run(FULL_WINDOW,
                f.through(StepFixture.chat(key, "chat-1"), FULL_WINDOW));
        assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMIT_EXCEEDED);
        assertThat(refused.message()).startsWith("Rate limit reached for requests per minute: limit 2.");
        RateLimitDecision.Limited limited = (RateLimitDecision.Limited) ((Learned.Admitted) refused.learned())
                .decision();
        assertThat(limited.limit()).isEqualTo(2);
        assertThat(limited.retryAfterNanos()).isPositive();
        assertThat(run(FULL_WINDOW, f.through(StepFixture.chat(f.key("free", 2, "ai.chat"), "chat-1"), FULL_WINDOW)))
                .as("another key's window is its own").isSameAs(Learned.NOTHING);
    }

    private void admit(String key) {
        assertThat(run(RATE_LIMIT, f.through(StepFixture.chat(key, "chat-1"), RATE_LIMIT)))
                .isInstanceOf(Learned.Admitted.class);
        ex.releaseBody();
    }

    @Test
    void theModelsStepAnswersTheListAndPassesEverythingElseOn() {
        String key = f.key("free", 10, "ai.chat");
        StepResult r = run(MODELS, f.through(StepFixture.request(HttpMethod.GET, "/v1/models", key, null), MODELS));
        StepResult.Answer answer = (StepResult.Answer) r;
        assertThat(answer.json().toString(StandardCharsets.UTF_8)).contains("chat-1").doesNotContain("vision-1");
        answer.json().release();
        ex.releaseBody();
        assertThat(run(MODELS, f.through(StepFixture.chat(key, "chat-1"), MODELS))).isSameAs(Learned.NOTHING);
    }

    @Test
    void theProxyStepForwardsUnlessMeteringIsFull() {
        String key = f.key("free", 10, "ai.chat");
        StepResult r = run(PROXY, f.through(StepFixture.chat(key, "chat-1"), PROXY));
        assertThat(((StepResult.Forward) r).target().backends().getFirst().target().baseUrl().toString()).isEqualTo("http://127.0.0.1:9");
        ex.releaseBody();
        f.sink.accepting(false);
        assertThat(run(PROXY, f.through(StepFixture.chat(key, "chat-1"), PROXY))).isSameAs(ProxyStep.OVERLOADED);
    }
}
