package ai.dalsi.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dalsi.gateway.config.AdminLoginConfig;
import ai.dalsi.gateway.testing.FakeTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The failed-login budgets with fake time: per address, per username, refill, success forgiven. */
class LoginThrottleTest {

    private final FakeTime time = FakeTime.startingNow();

    private LoginThrottle throttle(int perAddress, int perUsername) {
        return new LoginThrottle(new AdminLoginConfig(1, perAddress, perUsername, Duration.ofMinutes(1),
                Duration.ZERO, Duration.ZERO), time, time);
    }

    @Test
    void anAddressGetsItsBudgetThenWaitsForTheRefill() {
        LoginThrottle t = throttle(10, 1000);
        for (int i = 0; i < 10; i++) {
            assertThat(t.tryBegin("192.0.2.1", "user" + i)).isInstanceOf(LoginThrottle.Permit.class);
        }
        LoginThrottle.Limited limited = (LoginThrottle.Limited) t.tryBegin("192.0.2.1", "another");
        assertThat(limited.byAddress()).isTrue();
        assertThat(limited.retryAfterSeconds()).as("10 per minute: one back every 6 s").isEqualTo(6);
        assertThat(t.tryBegin("192.0.2.2", "another")).as("other addresses are not affected")
                .isInstanceOf(LoginThrottle.Permit.class);
        time.advance(Duration.ofSeconds(6));
        assertThat(t.tryBegin("192.0.2.1", "another")).isInstanceOf(LoginThrottle.Permit.class);
        assertThat(t.tryBegin("192.0.2.1", "another")).isInstanceOf(LoginThrottle.Limited.class);
    }

    @Test
    void aUsernameTakesAtMostItsBudgetOfGuessesFromAnyAddress() {
        LoginThrottle t = throttle(1000, 20);
        for (int i = 0; i < 20; i++) {
            assertThat(t.tryBegin("198.51.100." + i, "ops")).isInstanceOf(LoginThrottle.Permit.class);
        }
        LoginThrottle.Attempt spent = t.tryBegin("203.0.113.1", "ops");
        assertThat(spent).isInstanceOf(LoginThrottle.Limited.class);
        assertThat(((LoginThrottle.Limited) spent).byAddress()).isFalse();
        assertThat(t.tryBegin("203.0.113.1", "someone-else")).as("the address was not charged for it")
                .isInstanceOf(LoginThrottle.Permit.class);
    }

    @Test
    void aSuccessfulLoginDoesNotCount() {
        LoginThrottle t = throttle(3, 3);
        for (int i = 0; i < 10; i++) {
            LoginThrottle.Attempt a = t.tryBegin("192.0.2.1", "ops");
            assertThat(a).isInstanceOf(LoginThrottle.Permit.class);
            t.succeeded((LoginThrottle.Permit) a);
        }
    }

    @Test
    void concurrentGuessesAreChargedBeforeTheyAreChecked() {
        LoginThrottle t = throttle(5, 1000);
        int permits = 0;
        for (int i = 0; i < 300; i++) {
            if (t.tryBegin("192.0.2.1", "intruder-" + i) instanceof LoginThrottle.Permit) {
                permits++;
            }
        }
        assertThat(permits).as("300 at once, none finished yet: only the budget gets through").isEqualTo(5);
    }
}
