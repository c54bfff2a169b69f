package ai.dalsi.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.ratelimit.MonthlyBudgets;
import ai.dalsi.gateway.ratelimit.RateLimits;
import ai.dalsi.gateway.ratelimit.TokenLimits;
import ai.dalsi.gateway.ratelimit.WorstCase;
import ai.dalsi.persistence.repo.StoredKey;
import ai.dalsi.persistence.repo.StoredSubscription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ApiKeyTest {

    private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");
    private static final List<StoredSubscription> SUBSCRIPTIONS = List.of(
            new StoredSubscription("pro", "active", T, T.plusSeconds(86_400)),
            new StoredSubscription("enterprise", "mystery", T, T.plusSeconds(86_400)));

    private static StoredKey stored(boolean internal, Long tpm, Long tpd, BigDecimal keyBudget, BigDecimal userBudget) {
        return new StoredKey(UUID.randomUUID(), UUID.randomUUID(), "a".repeat(64), "dsk_live_abc", "k", true, true,
                List.of("ai.chat"), 60, 1000, 10000, "free", null, List.of(), "production", internal, null, null, T,
                tpm, tpd, keyBudget, userBudget, SUBSCRIPTIONS);
    }

    @Test
    void carriesTokenLimitsBudgetsAndTheSubscriptionsThatCanGiveATier() {
        ApiKey k = ApiKey.of(stored(false, 1000L, null, new BigDecimal("5"), new BigDecimal("50")));
        assertThat(k.tokenLimits()).isEqualTo(new TokenLimits(1000, Long.MAX_VALUE));
        assertThat(k.budgets()).isEqualTo(new MonthlyBudgets(new BigDecimal("5"), new BigDecimal("50")));
        assertThat(k.subscriptions()).as("an unknown status gives nothing and is not kept").hasSize(1);
        assertThat(k.tierAt(T.plusSeconds(60))).isEqualTo(Tier.PRO);
        assertThat(k.tierAt(T.plusSeconds(86_400))).isEqualTo(Tier.FREE);

        var admission = k.admission(new WorstCase(300, new BigDecimal("0.01")));
        assertThat(admission.exempt()).isFalse();
        assertThat(admission.keyId()).isEqualTo(k.id());
        assertThat(admission.userId()).isEqualTo(k.userId());
        assertThat(admission.tokenLimits()).isEqualTo(k.tokenLimits());
        assertThat(admission.budgets()).isEqualTo(k.budgets());
    }

    @Test
    void keysWithoutTokenLimitsOrBudgetsHaveNone() {
        ApiKey k = ApiKey.of(stored(false, null, null, null, null));
        assertThat(k.tokenLimits()).isEqualTo(TokenLimits.UNLIMITED);
        assertThat(k.budgets()).isEqualTo(MonthlyBudgets.NONE);
        assertThat(k.admission(WorstCase.NONE).exempt()).as("request limits still apply").isFalse();
    }

    @Test
    void internalKeysAreExemptFromEverything() {
        ApiKey k = ApiKey.of(stored(true, 10L, 10L, BigDecimal.ZERO, BigDecimal.ZERO));
        assertThat(k.limits()).isEqualTo(RateLimits.UNLIMITED);
        assertThat(k.tokenLimits()).isEqualTo(TokenLimits.UNLIMITED);
        assertThat(k.budgets()).isEqualTo(MonthlyBudgets.NONE);
        assertThat(k.admission(new WorstCase(1_000_000, BigDecimal.TEN)).exempt()).isTrue();
    }
}
