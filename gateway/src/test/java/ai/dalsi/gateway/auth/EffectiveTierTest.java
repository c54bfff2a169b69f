package ai.dalsi.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.auth.Subscription.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EffectiveTierTest {

    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant END = Instant.parse("2026-04-01T00:00:00Z");

    /**
     * Subscriptions are written {@code tier/status/start/end} (start and end as instants), several
     * separated by {@code +}; {@code -} is none.
     */
    @ParameterizedTest(name = "[{index}] key {0}, {1} at {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
        // no subscription: the key's tier
        "free       | -                                                                                  | 2026-03-15T00:00:00Z | free",
        "pro        | -                                                                                  | 2026-03-15T00:00:00Z | pro",
        // an active pro subscription lifts a free key within its period, start inclusive, end exclusive
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                              | 2026-02-28T23:59:59.999Z | free",
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                              | 2026-03-01T00:00:00Z | pro",
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                              | 2026-03-31T23:59:59.999Z | pro",
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                              | 2026-04-01T00:00:00Z | free",
        // trialing counts; past_due, cancelled and expired do not
        "free       | enterprise/trialing/2026-03-01T00:00:00Z/2026-03-15T00:00:00Z                     | 2026-03-10T00:00:00Z | enterprise",
        "free       | pro/past_due/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                            | 2026-03-10T00:00:00Z | free",
        "free       | pro/cancelled/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                           | 2026-03-10T00:00:00Z | free",
        "free       | pro/expired/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                             | 2026-03-10T00:00:00Z | free",
        // a current subscription decides even below the key's tier
        "enterprise | free/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z                             | 2026-03-10T00:00:00Z | free",
        // several current: the highest; one out of its period does not count
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z + enterprise/trialing/2026-03-10T00:00:00Z/2026-03-20T00:00:00Z | 2026-03-15T00:00:00Z | enterprise",
        "free       | pro/active/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z + enterprise/trialing/2026-03-10T00:00:00Z/2026-03-20T00:00:00Z | 2026-03-25T00:00:00Z | pro",
        "pro        | free/active/2026-01-01T00:00:00Z/2026-02-01T00:00:00Z + free/cancelled/2026-03-01T00:00:00Z/2026-04-01T00:00:00Z    | 2026-03-25T00:00:00Z | pro",
    })
    void theCurrentSubscriptionsHighestTierElseTheKeys(String keyTier, String subscriptions, String at, String expected) {
        assertThat(EffectiveTier.of(Tier.ofDbValue(keyTier), parse(subscriptions), Instant.parse(at)))
                .isEqualTo(Tier.ofDbValue(expected));
    }

    @ParameterizedTest
    @CsvSource({"2026-03-31T23:59:59Z, pro", "2026-04-01T00:00:00Z, free", "2027-01-01T00:00:00Z, free"})
    void aKeyLoadedDuringThePeriodLosesItsTierAtTheEndWithoutBeingReloaded(String at, String expected) {
        ApiKey key = new ApiKey(null, null, "h", "dsk_live_abc", true, true, java.util.Set.of(), Tier.FREE, null, null,
                KeyEnvironment.PRODUCTION, false, null, ai.dalsi.gateway.ratelimit.RateLimits.UNLIMITED,
                ai.dalsi.gateway.ratelimit.TokenLimits.UNLIMITED, ai.dalsi.gateway.ratelimit.MonthlyBudgets.NONE,
                List.of(new Subscription(Tier.PRO, Status.ACTIVE, START, END)));
        assertThat(key.tierAt(Instant.parse(at))).isEqualTo(Tier.ofDbValue(expected));
        assertThat(key.tier()).as("the key's own tier is unchanged").isEqualTo(Tier.FREE);
    }

    private static List<Subscription> parse(String spec) {
        List<Subscription> out = new ArrayList<>();
        if (spec.isBlank() || spec.strip().equals("-")) {
            return out;
        }
        for (String one : spec.split("\\+")) {
            String[] p = one.strip().split("/");
            out.add(new Subscription(Tier.ofDbValue(p[0]), Status.ofDbValue(p[1]), Instant.parse(p[2]),
                    Instant.parse(p[3])));
        }
        return out;
    }
}
