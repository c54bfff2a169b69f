package ai.dalsi.gateway.admin;

import ai.dalsi.gateway.config.AdminLoginConfig;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Budgets of failed HTTP Basic logins, one per client address and one per username (Bucket4j
 * buckets refilling greedily over {@code admin.login.failureWindow}), consulted before any
 * password is hashed. A password check takes one attempt from both budgets up front, so that a
 * burst of concurrent guesses cannot all pass before the first one fails; a check that succeeds
 * gives them back. So only failures count, and an exhausted budget answers 429 at the cost of a
 * map lookup.
 *
 * <p>The per-username budget protects one account from guesses spread over many addresses; it
 * also means a flood against a username keeps its owner from logging in with a password check
 * until the budget refills. Admins whose password passed recently are not affected
 * ({@link VerifiedLogins} skips the check), nor is the bootstrap token.
 *
 * <p>Both maps are bounded (the least recently used budgets go first) and forget a budget a
 * window after its last use, when it would be full again anyway.
 */
final class LoginThrottle {

    /** Most client addresses, and most usernames, whose budgets are held. */
    static final int MAX_ENTRIES = 100_000;

    /** The outcome of {@link #tryBegin}. */
    sealed interface Attempt permits Permit, Limited {
    }

    /** The password may be checked; report the result with {@link #succeeded}. */
    record Permit(Bucket address, Bucket username) implements Attempt {
    }

    /**
     * Too many failures: 429.
     *
     * @param byAddress       the address's budget is spent (else the username's)
     * @param retryAfterNanos until the budget has an attempt again
     */
    record Limited(boolean byAddress, long retryAfterNanos) implements Attempt {
        long retryAfterSeconds() {
            return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(retryAfterNanos + 999_999_999L));
        }
    }

    private final TimeMeter timeMeter;
    private final Bandwidth perAddress;
    private final Bandwidth perUsername;
    private final Cache<String, Bucket> addresses;
    private final Cache<String, Bucket> usernames;

    LoginThrottle(AdminLoginConfig config, TimeMeter timeMeter, Ticker ticker) {
        this.timeMeter = timeMeter;
        Duration window = config.failureWindow();
        this.perAddress = Bandwidth.builder().capacity(config.failuresPerAddress())
                .refillGreedy(config.failuresPerAddress(), window).build();
        this.perUsername = Bandwidth.builder().capacity(config.failuresPerUsername())
                .refillGreedy(config.failuresPerUsername(), window).build();
        this.addresses = cache(window, ticker);
        this.usernames = cache(window, ticker);
    }

    private static Cache<String, Bucket> cache(Duration window, Ticker ticker) {
        return Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterAccess(window)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** Takes one attempt from the address's and the username's budgets, or says which is spent. */
    Attempt tryBegin(String clientIp, String username) {
        Bucket address = addresses.get(clientIp == null ? "" : clientIp, k -> bucket(perAddress));
        ConsumptionProbe a = address.tryConsumeAndReturnRemaining(1);
        if (!a.isConsumed()) {
            return new Limited(true, a.getNanosToWaitForRefill());
        }
        Bucket user = usernames.get(username, k -> bucket(perUsername));
        ConsumptionProbe u = user.tryConsumeAndReturnRemaining(1);
        if (!u.isConsumed()) {
            address.addTokens(1);
            return new Limited(false, u.getNanosToWaitForRefill());
        }
        return new Permit(address, user);
    }

    /** The password was right (or was never checked): the attempt does not count. */
    void succeeded(Permit permit) {
        permit.address().addTokens(1);
        permit.username().addTokens(1);
    }

    private Bucket bucket(Bandwidth limit) {
        return Bucket.builder().addLimit(limit).withCustomTimePrecision(timeMeter).build();
    }
}
