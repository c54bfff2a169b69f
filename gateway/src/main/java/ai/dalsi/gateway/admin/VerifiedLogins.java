package ai.dalsi.gateway.admin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Basic credentials whose password passed bcrypt recently, so that an admin's further requests
 * (a script, a dashboard) cost one HMAC instead of one bcrypt check each, and a flood of failed
 * logins, which throttles password checks, does not lock them out.
 *
 * <p>What is kept per username: an HMAC-SHA256 of {@code username:password} under a key drawn at
 * start and never stored (so the memory holds nothing a password could be read back from, or
 * guessed from faster than bcrypt allows), and the account's id, role and password hash at the
 * time. A hit is only a candidate: the serving thread confirms that the account is still active
 * with the same password hash ({@link AdminAccounts#confirm}), so a deactivation or a password
 * change takes effect on the next request. Entries expire {@code admin.login.verifiedTtl} after
 * the check; a TTL of zero disables the cache.
 */
final class VerifiedLogins {

    /** Most usernames remembered at once. */
    static final int MAX_ENTRIES = 10_000;

    /** A remembered login: enough to serve the request once {@link AdminAccounts#confirm} agrees. */
    record Login(UUID accountId, String username, Role role, String passwordHash) {
    }

    private record Entry(byte[] digest, Login login) {
    }

    private final byte[] key = new byte[32];
    private final Cache<String, Entry> entries;
    private final boolean enabled;

    VerifiedLogins(Duration ttl, Ticker ticker) {
        new SecureRandom().nextBytes(key);
        this.enabled = !ttl.isZero();
        this.entries = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(enabled ? ttl : Duration.ofNanos(1))
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    /** The login remembered for exactly these credentials, compared in constant time. */
    Optional<Login> find(String username, String password) {
        Entry e = entries.getIfPresent(username);
        byte[] digest = digest(username, password);
        if (e == null || !MessageDigest.isEqual(e.digest(), digest)) {
            return Optional.empty();
        }
        return Optional.of(e.login());
    }

    void remember(String username, String password, Login login) {
        if (enabled) {
            entries.put(username, new Entry(digest(username, password), login));
        }
    }

    /** The account changed (deactivated, new password): its next request checks the password again. */
    void forget(String username) {
        entries.invalidate(username);
    }

    private byte[] digest(String username, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(username.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }
}
