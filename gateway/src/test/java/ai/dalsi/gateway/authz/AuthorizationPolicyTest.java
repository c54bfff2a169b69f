package ai.dalsi.gateway.authz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.ApiKey;
import ai.dalsi.gateway.auth.KeyEnvironment;
import ai.dalsi.gateway.auth.Tier;
import ai.dalsi.gateway.catalog.ModelInfo;
import ai.dalsi.gateway.catalog.ProductInfo;
import ai.dalsi.gateway.error.ErrorCode;
import ai.dalsi.gateway.net.IpRanges;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.metering.ProductKind;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthorizationPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final InetSocketAddress CLIENT = new InetSocketAddress(IpRanges.parseAddress("192.0.2.5"), 0);
    private final AuthorizationPolicy policy = new AuthorizationPolicy(Set.of(KeyEnvironment.PRODUCTION));

    private static ApiKey key(boolean active, boolean ownerActive, Instant revoked, Instant expires,
            KeyEnvironment env, IpRanges ips, Tier tier, String... scopes) {
        return new ApiKey(UUID.randomUUID(), UUID.randomUUID(), "h", "dsk_live_abc", active, ownerActive,
                Set.of(scopes), tier, expires, ips, env, false, revoked, new RateLimits(1, 1, 1));
    }

    private static ApiKey good() {
        return key(true, true, null, null, KeyEnvironment.PRODUCTION, null, Tier.FREE, "ai.chat");
    }

    private static ErrorCode code(AuthzDecision d) {
        return d instanceof AuthzDecision.Denied denied ? denied.code() : null;
    }

    @Test
    void keyChecksInOrder() {
        assertThat(policy.checkKey(good(), CLIENT, NOW)).isEqualTo(AuthzDecision.ALLOWED);
        // Revoked keys are also inactive: they are told they were revoked.
        assertThat(code(policy.checkKey(key(false, true, NOW.minusSeconds(5), null, KeyEnvironment.PRODUCTION, null,
                Tier.FREE), CLIENT, NOW))).isEqualTo(ErrorCode.API_KEY_REVOKED);
        assertThat(code(policy.checkKey(key(true, true, null, NOW, KeyEnvironment.PRODUCTION, null, Tier.FREE),
                CLIENT, NOW))).isEqualTo(ErrorCode.API_KEY_EXPIRED);
        assertThat(policy.checkKey(key(true, true, null, NOW.plusSeconds(1), KeyEnvironment.PRODUCTION, null,
                Tier.FREE), CLIENT, NOW)).isEqualTo(AuthzDecision.ALLOWED);
        assertThat(code(policy.checkKey(key(false, true, null, null, KeyEnvironment.PRODUCTION, null, Tier.FREE),
                CLIENT, NOW))).isEqualTo(ErrorCode.INVALID_API_KEY);
        assertThat(code(policy.checkKey(key(true, false, null, null, KeyEnvironment.PRODUCTION, null, Tier.FREE),
                CLIENT, NOW))).isEqualTo(ErrorCode.INVALID_API_KEY);
        assertThat(code(policy.checkKey(key(true, true, null, null, KeyEnvironment.DEVELOPMENT, null, Tier.FREE),
                CLIENT, NOW))).isEqualTo(ErrorCode.ENVIRONMENT_MISMATCH);
        assertThat(code(policy.checkKey(key(true, true, null, null, null, null, Tier.FREE), CLIENT, NOW)))
                .isEqualTo(ErrorCode.ENVIRONMENT_MISMATCH);
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.0/24, true", "192.0.2.5, true", "198.51.100.0/24, false", "2001:db8::/32, false"})
    void allowlist(String range, boolean allowed) {
        ApiKey k = key(true, true, null, null, KeyEnvironment.PRODUCTION, IpRanges.parse(List.of(range), "t"),
                Tier.FREE);
        assertThat(policy.checkKey(k, CLIENT, NOW) == AuthzDecision.ALLOWED).isEqualTo(allowed);
    }

    @Test
    void anAllowlistWithNoValidEntryAllowsNobody() {
        ApiKey k = key(true, true, null, null, KeyEnvironment.PRODUCTION, IpRanges.parseLenient(List.of("junk"), s -> { }),
                Tier.FREE);
        assertThat(code(policy.checkKey(k, CLIENT, NOW))).isEqualTo(ErrorCode.IP_NOT_ALLOWED);
    }

    @ParameterizedTest
    @CsvSource({
            "free, free, true", "free, pro, false", "free, enterprise, false",
            "pro, free, true", "pro, pro, true", "pro, enterprise, false",
            "enterprise, free, true", "enterprise, pro, true", "enterprise, enterprise, true",
    })
    void tierAtLeastTheProducts(String keyTier, String productTier, boolean allowed) {
        ApiKey k = key(true, true, null, null, KeyEnvironment.PRODUCTION, null, Tier.ofDbValue(keyTier), "ai.chat");
        ProductInfo p = product(Tier.ofDbValue(productTier), 100);
        AuthzDecision d = policy.checkProduct(k, p);
        assertThat(d == AuthzDecision.ALLOWED).isEqualTo(allowed);
        if (!allowed) {
            assertThat(code(d)).isEqualTo(ErrorCode.SUBSCRIPTION_REQUIRED);
        }
    }

    @Test
    void scopeRequired() {
        ApiKey k = key(true, true, null, null, KeyEnvironment.PRODUCTION, null, Tier.ENTERPRISE, "ai.code");
        assertThat(code(policy.checkProduct(k, product(Tier.FREE, 100)))).isEqualTo(ErrorCode.INSUFFICIENT_SCOPE);
    }

    @Test
    void models() {
        ModelInfo active = model(true, false);
        assertThat(policy.checkModel(good(), "m", active)).isEqualTo(AuthzDecision.ALLOWED);
        assertThat(code(policy.checkModel(good(), "m", null))).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
        assertThat(code(policy.checkModel(good(), "m", model(false, false)))).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
        assertThat(code(policy.checkModel(good(), "m", model(true, true)))).isEqualTo(ErrorCode.SUBSCRIPTION_REQUIRED);
        ApiKey pro = key(true, true, null, null, KeyEnvironment.PRODUCTION, null, Tier.PRO);
        assertThat(policy.checkModel(pro, "m", model(true, true))).isEqualTo(AuthzDecision.ALLOWED);
    }

    @ParameterizedTest
    @CsvSource({"-1, 1, true", "100, 1, true", "101, 1, false", "50, 2, true", "51, 2, false", "0, 1, true",
            "9223372036854775807, 3, false"})
    void maxTokens(long maxTokens, long n, boolean allowed) {
        AuthzDecision d = policy.checkMaxTokens(product(Tier.FREE, 100), maxTokens, n);
        assertThat(d == AuthzDecision.ALLOWED).isEqualTo(allowed);
        if (!allowed) {
            assertThat(((AuthzDecision.Denied) d).param()).isEqualTo("max_tokens");
            assertThat(code(d)).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    /**
     * The worst case of a request (body bytes as prompt tokens, max_tokens or the product's limit
     * times n, n images) must stay within what the ledger records: 999999999999.99999999 USD.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // case                                  | in/1k     | out/1k    | image | base | bytes   | max_tokens | n                  | allowed
            "ordinary prices and sizes               | 0.001     | 0.002     |       | 0    | 4194304 | -1         | 1                  | true",
            "the catalog's highest prices, 4 MiB body| 1000000   | 1000000   | 1000000 | 1000000 | 4194304 | 2048 | 8                  | true",
            "a price written around the admin API    | 1e300     |           |       | 0    | 10      | 1          | 1                  | false",
            "absurd n without max_tokens             | 0.001     | 0.002     |       | 0    | 100     | -1         | 1000000000000000   | false",
            "absurd n on a priced image model        |           |           | 0.04  | 0    | 100     | -1         | 9223372036854775807 | false",
            "exactly at the bound                    |           |           |       | 999999999999.99999999 | 0 | 0  | 1                  | true",
            "a hundred-millionth over the bound      |           |           |       | 999999999999.99999999 | 1 | 1  | 1                  | false",
    })
    void theMostARequestCouldCostMustBeRecordable(String what, BigDecimal in, BigDecimal out, BigDecimal image,
            BigDecimal base, long bytes, long maxTokens, long n, boolean allowed) {
        ProductInfo product = new ProductInfo("ai.chat", List.of("ai.chat"), Tier.FREE, 2048, true,
                new BigDecimal("0.00000001"), base, ProductKind.CHAT);
        ModelInfo model = new ModelInfo("m", true, false, in, out, image, 0);
        AuthzDecision d = policy.checkCost(product, model, bytes, maxTokens, n);
        assertThat(d == AuthzDecision.ALLOWED).as(what).isEqualTo(allowed);
        if (!allowed) {
            assertThat(code(d)).isEqualTo(ErrorCode.COST_LIMIT_EXCEEDED);
            assertThat(((AuthzDecision.Denied) d).message()).contains("999999999999.99999999 USD");
        }
    }

    private static ProductInfo product(Tier tier, int maxTokens) {
        return new ProductInfo("ai.chat", List.of("ai.chat"), tier, maxTokens, true, BigDecimal.ZERO, BigDecimal.ZERO,
                ai.dalsi.metering.ProductKind.CHAT);
    }

    private static ModelInfo model(boolean active, boolean requiresSubscription) {
        return new ModelInfo("m", active, requiresSubscription, null, null, null, 0);
    }
}
