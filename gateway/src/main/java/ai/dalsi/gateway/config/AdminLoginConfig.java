package ai.dalsi.gateway.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How the admin port checks HTTP Basic passwords ({@code admin.login.*}), so that a flood of
 * failed logins can neither starve the bootstrap token and logged-in admins nor guess passwords
 * quickly. Validated on construction; every error names the setting.
 *
 * @param threads             threads that check passwords (bcrypt), apart from the threads that
 *                            serve authenticated requests
 * @param failuresPerAddress  failed logins one client address may make per {@code failureWindow}
 *                            before further attempts get 429 without a password check
 * @param failuresPerUsername failed logins one username may take per {@code failureWindow}, from
 *                            any address
 * @param failureWindow       the window both budgets refill over (greedily: a budget of 10 per
 *                            minute gives one attempt back every 6 s)
 * @param verifiedTtl         how long a password that passed bcrypt is remembered (as a keyed
 *                            digest), so an admin's further requests skip bcrypt; 0 disables it
 * @param failureDelay        how long a refused login (401, 429, or 503 when the password threads
 *                            are full) waits before it is answered, holding no thread: a client
 *                            that floods guesses gets one answer per connection per delay
 */
public record AdminLoginConfig(
        int threads,
        int failuresPerAddress,
        int failuresPerUsername,
        Duration failureWindow,
        Duration verifiedTtl,
        Duration failureDelay) {

    public AdminLoginConfig {
        if (threads < 1 || threads > 16) {
            throw new IllegalArgumentException("admin.login.threads: " + threads + " (expected: 1..16)");
        }
        if (failuresPerAddress < 1) {
            throw new IllegalArgumentException("admin.login.failuresPerAddress: " + failuresPerAddress
                    + " (expected: > 0)");
        }
        if (failuresPerUsername < 1) {
            throw new IllegalArgumentException("admin.login.failuresPerUsername: " + failuresPerUsername
                    + " (expected: > 0)");
        }
        Objects.requireNonNull(failureWindow, "admin.login.failureWindow: missing");
        if (failureWindow.compareTo(Duration.ofSeconds(1)) < 0 || failureWindow.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("admin.login.failureWindow: " + Durations.format(failureWindow)
                    + " (expected: 1s..1d)");
        }
        Objects.requireNonNull(verifiedTtl, "admin.login.verifiedTtl: missing");
        if (verifiedTtl.isNegative() || verifiedTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("admin.login.verifiedTtl: " + Durations.format(verifiedTtl)
                    + " (expected: 0s..1h)");
        }
        Objects.requireNonNull(failureDelay, "admin.login.failureDelay: missing");
        if (failureDelay.isNegative() || failureDelay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException("admin.login.failureDelay: " + Durations.format(failureDelay)
                    + " (expected: 0s..10s)");
        }
    }

    /** The defaults of {@code gateway-defaults.yaml}. */
    public static AdminLoginConfig defaults() {
        return new AdminLoginConfig(1, 10, 20, Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofSeconds(1));
    }

    /** The same limits with another {@link #failureDelay}. */
    public AdminLoginConfig withFailureDelay(Duration delay) {
        return new AdminLoginConfig(threads, failuresPerAddress, failuresPerUsername, failureWindow, verifiedTtl,
                delay);
    }
}
