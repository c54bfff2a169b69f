package ai.dalsi.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.ratelimit.AdmissionDecision.Allowed;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.BudgetRefused;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.RequestsRefused;
import ai.dalsi.gateway.ratelimit.AdmissionDecision.TokensRefused;
import ai.dalsi.gateway.testing.FakeTime;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Token windows, reservations and settlement through {@link KeyRateLimiter#admit} with fake time. */
class KeyAdmissionTest {

    private static final RateLimits REQUESTS = new RateLimits(100, 1000, 10000);
    private static final long S = 1_000_000_000L;

    private final FakeTime time = new FakeTime(Instant.parse("2026-05-10T12:00:00Z"));
    private final KeyRateLimiter limiter = newLimiter(time);
    private final UUID key = UUID.randomUUID();
    private final UUID user = UUID.randomUUID();

    /** The limiter under test; {@link RedisKeyAdmissionIT} runs the same behaviour against Redis. */
    protected KeyRateLimiter newLimiter(FakeTime time) {
        return KeyRateLimiter.local(time, time, time, 1000, MonthlySpendSource.NONE, Runnable::run);
    }

    private AdmissionDecision admit(TokenLimits tokens, long worstCase) {
        return limiter.admit(new AdmissionRequest(key, user, REQUESTS, tokens, MonthlyBudgets.NONE,
                new WorstCase(worstCase, BigDecimal.ZERO))).join();
    }

    private long requestsLeft() {
        return ((RateLimitDecision.Allowed) limiter.peek(key, REQUESTS).join()).remaining();
    }

    @Test
    void theRequestWhoseReservationDoesNotFitIsRefusedNamingTheWindow() {
        TokenLimits tpm = new TokenLimits(1000, Long.MAX_VALUE);
        for (long remaining : new long[] {700, 400, 100}) {
            Allowed a = (Allowed) admit(tpm, 300);
            assertThat(a.tokens()).isEqualTo(new TokenStatus(TokenWindow.MINUTE, 1000, remaining, 61 * S));
            assertThat(a.reservation().tokens()).isEqualTo(300);
            assertThat(a.requests()).isInstanceOf(RateLimitDecision.Allowed.class);
        }
        time.advance(Duration.ofSeconds(6));
        long requestsBefore = requestsLeft();
        TokensRefused refused = (TokensRefused) admit(tpm, 300);
        // 900 used + 300 > 1000: 200 must leave; all 900 sit in the slot of second 0, which leaves at 61 s.
        assertThat(refused).isEqualTo(new TokensRefused(TokenWindow.MINUTE, 1000, 900, 300, 55 * S, 55 * S, false,
                refused.requests()));
        assertThat(requestsLeft()).as("a refused request takes no request").isEqualTo(requestsBefore);
        assertThat(limiter.peekTokens(key, tpm).join()).as("and reserves no tokens")
                .isEqualTo(new TokenStatus(TokenWindow.MINUTE, 1000, 100, 55 * S));
        time.advance(Duration.ofSeconds(55));
        assertThat(admit(tpm, 300)).isInstanceOf(Allowed.class);
    }

    @ParameterizedTest(name = "reserved 300, used {0}: {1} left, then 600 admitted: {2}")
    @CsvSource({
        "300, 700, true",
        "100, 900, true",
        "0,  1000, true",
        // an excess is charged: the limit is overshot only by it, and later requests pay for it
        "450, 550, false",
    })
    void settlementGivesBackTheRestOrChargesTheExcess(long used, long left, boolean sixHundredFits) {
        TokenLimits tpm = new TokenLimits(1000, Long.MAX_VALUE);
        Allowed a = (Allowed) admit(tpm, 300);
        limiter.settle(a.reservation(), used, BigDecimal.ZERO).join();
        assertThat(limiter.peekTokens(key, tpm).join().remaining()).isEqualTo(left);
        limiter.settle(a.reservation(), 1, BigDecimal.ZERO).join();
        assertThat(limiter.peekTokens(key, tpm).join().remaining()).as("a second settlement changes nothing")
                .isEqualTo(left);
        assertThat(admit(tpm, 600) instanceof Allowed).isEqualTo(sixHundredFits);
    }

    @Test
    void releaseGivesEverythingBack() {
        TokenLimits tpm = new TokenLimits(1000, Long.MAX_VALUE);
        Allowed a = (Allowed) admit(tpm, 1000);
        assertThat(admit(tpm, 1)).isInstanceOf(TokensRefused.class);
        limiter.release(a.reservation()).join();
        assertThat(admit(tpm, 1000)).isInstanceOf(Allowed.class);
    }

    @Test
    void theDayWindowLimitsOnItsOwnAndTheTightestWindowIsReported() {
        TokenLimits limits = new TokenLimits(1000, 1500);
        Allowed first = (Allowed) admit(limits, 800);
        assertThat(first.tokens()).isEqualTo(new TokenStatus(TokenWindow.MINUTE, 1000, 200, 61 * S));
        time.advance(Duration.ofMinutes(2));
        Allowed second = (Allowed) admit(limits, 500);
        // The minute has 500 left, the day 200: the day is the tightest, empty when the second's quarter leaves.
        long quarter = 15 * 60 * S;
        assertThat(second.tokens()).isEqualTo(new TokenStatus(TokenWindow.DAY, 1500, 200, 97 * quarter - 120 * S));
        TokensRefused refused = (TokensRefused) admit(limits, 300);
        assertThat(refused.window()).isEqualTo(TokenWindow.DAY);
        assertThat(refused.used()).isEqualTo(1300);
        assertThat(refused.retryAfterNanos()).isEqualTo(97 * quarter - 120 * S);
    }

    @Test
    void aRequestLargerThanTheLimitCanNeverFit() {
        TokensRefused r = (TokensRefused) admit(new TokenLimits(1000, 5000), 1001);
        assertThat(r.exceedsLimit()).isTrue();
        assertThat(r.window()).isEqualTo(TokenWindow.MINUTE);
        assertThat(r.retryAfterNanos()).isZero();
        assertThat(r.requested()).isEqualTo(1001);
    }

    @Test
    void requestWindowsRefuseFirstAndNothingIsReserved() {
        RateLimits one = new RateLimits(1, 100, 1000);
        TokenLimits tpm = new TokenLimits(1000, Long.MAX_VALUE);
        AdmissionRequest r = new AdmissionRequest(key, user, one, tpm, MonthlyBudgets.NONE,
                new WorstCase(100, BigDecimal.ZERO));
        assertThat(limiter.admit(r).join()).isInstanceOf(Allowed.class);
        RequestsRefused refused = (RequestsRefused) limiter.admit(r).join();
        assertThat(refused.requests().window()).isEqualTo(RateWindow.MINUTE);
        assertThat(refused.tokens()).isEqualTo(new TokenStatus(TokenWindow.MINUTE, 1000, 900, 61 * S));
    }

    @Test
    void keysWithoutTokenLimitsReserveNoTokensAndGetNoTokenHeaders() {
        Allowed a = (Allowed) admit(TokenLimits.UNLIMITED, 5_000_000);
        assertThat(a.tokens()).isNull();
        assertThat(a.reservation().tokens()).isZero();
        assertThat(a.reservation().month()).isNull();
        assertThat(limiter.peekTokens(key, TokenLimits.UNLIMITED).join()).isNull();
    }

    @Test
    void exemptRequestsAreAdmittedWithoutAReservation() {
        AdmissionDecision d = limiter.admit(new AdmissionRequest(key, user, RateLimits.UNLIMITED, TokenLimits.UNLIMITED,
                MonthlyBudgets.NONE, new WorstCase(Long.MAX_VALUE, BigDecimal.TEN))).join();
        assertThat(d).isEqualTo(AdmissionDecision.EXEMPT);
    }

    @Test
    void theRequestOnlyPathIsUnchanged() {
        RateLimits two = new RateLimits(2, 100, 1000);
        assertThat(limiter.acquire(key, two).join()).isInstanceOf(RateLimitDecision.Allowed.class);
        Allowed a = (Allowed) limiter.admit(new AdmissionRequest(key, user, two, TokenLimits.UNLIMITED,
                MonthlyBudgets.NONE, WorstCase.NONE)).join();
        assertThat(a.requests()).isEqualTo(new RateLimitDecision.Allowed(RateWindow.MINUTE, 2, 0, 60 * S));
        assertThat(limiter.acquire(key, two).join()).isInstanceOf(RateLimitDecision.Limited.class);
    }
}
