package ai.dalsi.gateway.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Decides who an admin request comes from: {@code Authorization: Bearer <token>} against the
 * configured bootstrap token (super_admin), or HTTP Basic against active {@code a_users}
 * accounts. Never logs or echoes the header.
 *
 * <p>Where the time goes, so that a flood of failed logins starves nobody: the token and the
 * shape of Basic credentials are checked on the calling thread (the event loop: a SHA-256 or a
 * map lookup); a password that passed recently is recognised by {@link VerifiedLogins} (one HMAC)
 * and confirmed later by the serving thread; anything else first takes an attempt from
 * {@link LoginThrottle} (429 when spent) and then goes to the password threads
 * ({@code admin.login.threads}, a short queue, 503 when full) for its bcrypt check. The threads
 * that serve authenticated requests never run bcrypt.
 */
final class AdminAuthenticator {

    /** The outcome of {@link #authenticate}. */
    sealed interface Outcome permits Authenticated, Refused, Throttled, Busy {
    }

    /**
     * Who is calling. {@code remembered} is set when the password was recognised rather than
     * checked: the serving thread must {@link #confirm} it first.
     */
    record Authenticated(Principal principal, VerifiedLogins.Login remembered) implements Outcome {
    }

    /**
     * 401; {@code message} is safe to show (it never repeats the credentials).
     *
     * @param passwordChecked whether a password was checked (worth a log line; the rest is noise)
     */
    record Refused(String message, boolean passwordChecked) implements Outcome {
    }

    /** 429: too many failed logins from this address or for this username. */
    record Throttled(String message, long retryAfterSeconds) implements Outcome {
    }

    /** 503: the password threads' queue is full. */
    record Busy() implements Outcome {
    }

    /** The challenge sent with every 401. */
    static final String CHALLENGE = "Basic realm=\"dalsi-admin\", charset=\"UTF-8\"";

    static final Refused INVALID = new Refused("invalid credentials", true);
    private static final String BASIC_SHAPE = "(expected: base64 of username:password)";
    /** The longest username {@link AdminAccounts#create} accepts: longer ones need no lookup. */
    private static final int MAX_USERNAME = 100;

    private final byte[] tokenDigest;
    private final AdminAccounts accounts;
    private final LoginThrottle throttle;
    private final VerifiedLogins verified;
    private final Executor passwordThreads;
    private final AdminMetrics metrics;

    /**
     * @param token           the bootstrap token, or null when token authentication is disabled
     * @param accounts        admin accounts for Basic authentication
     * @param passwordThreads where bcrypt runs; rejects work when its queue is full
     */
    AdminAuthenticator(String token, AdminAccounts accounts, LoginThrottle throttle, VerifiedLogins verified,
            Executor passwordThreads, AdminMetrics metrics) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.accounts = accounts;
        this.throttle = throttle;
        this.verified = verified;
        this.passwordThreads = passwordThreads;
        this.metrics = metrics;
    }

    /** Completes at once for tokens, malformed, remembered and throttled logins; after bcrypt otherwise. */
    CompletionStage<Outcome> authenticate(String authorization, String clientIp) {
        if (authorization == null || authorization.isBlank()) {
            return done(new Refused("missing credentials (expected: Authorization: Bearer <admin token> or Basic)",
                    false));
        }
        String header = authorization.strip();
        int space = header.indexOf(' ');
        String scheme = (space < 0 ? header : header.substring(0, space)).toLowerCase(Locale.ROOT);
        String value = space < 0 ? "" : header.substring(space + 1).strip();
        return switch (scheme) {
            case "bearer" -> done(bearer(value));
            case "basic" -> basic(value, clientIp);
            default -> done(new Refused("unsupported authorization scheme (expected: Bearer or Basic)", false));
        };
    }

    /**
     * On the serving thread: the principal of an {@link Authenticated} outcome, or empty when a
     * remembered login's account has been deactivated or given a new password since.
     */
    Optional<Principal> confirm(Authenticated a, String clientIp) {
        VerifiedLogins.Login login = a.remembered();
        if (login == null) {
            return Optional.of(a.principal());
        }
        Optional<Principal> current = accounts.confirm(login.accountId(), login.passwordHash(), clientIp)
                .map(v -> new Principal(v.id(), v.username(), v.role()));
        if (current.isEmpty()) {
            verified.forget(login.username());
        }
        return current;
    }

    private Outcome bearer(String token) {
        if (token.isEmpty()) {
            return new Refused("missing admin token: the Authorization header says Bearer but no token follows"
                    + " (is GATEWAY_ADMIN_TOKEN set in this shell?)", false);
        }
        // Digests of equal length make the comparison independent of the token's length, too.
        if (tokenDigest != null && MessageDigest.isEqual(tokenDigest, sha256(token))) {
            return new Authenticated(Principal.BOOTSTRAP_TOKEN, null);
        }
        return new Refused("invalid credentials", false);
    }

    private CompletionStage<Outcome> basic(String encoded, String clientIp) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return done(new Refused("malformed Basic credentials " + BASIC_SHAPE, false));
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return done(new Refused("malformed Basic credentials " + BASIC_SHAPE, false));
        }
        String username = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        if (username.isEmpty()) {
            return done(new Refused("missing username in Basic credentials " + BASIC_SHAPE, false));
        }
        if (password.isEmpty()) {
            return done(new Refused("missing password in Basic credentials " + BASIC_SHAPE, false));
        }
        if (!possible(username, password)) {
            // No account can have these; nothing to look up or hash (a NUL would not even reach PostgreSQL).
            return done(new Refused("invalid credentials", false));
        }
        Optional<VerifiedLogins.Login> remembered = verified.find(username, password);
        if (remembered.isPresent()) {
            VerifiedLogins.Login l = remembered.get();
            metrics.login("remembered");
            return done(new Authenticated(new Principal(l.accountId(), l.username(), l.role()), l));
        }
        LoginThrottle.Attempt attempt = throttle.tryBegin(clientIp, username);
        if (attempt instanceof LoginThrottle.Limited limited) {
            metrics.login("throttled");
            return done(new Throttled("too many failed logins " + (limited.byAddress() ? "from this address"
                    : "for this username") + "; retry in " + limited.retryAfterSeconds() + " s",
                    limited.retryAfterSeconds()));
        }
        LoginThrottle.Permit permit = (LoginThrottle.Permit) attempt;
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        try {
            passwordThreads.execute(() -> check(username, password, clientIp, permit, outcome));
        } catch (RejectedExecutionException e) {
            throttle.succeeded(permit);
            metrics.login("busy");
            return done(new Busy());
        }
        return outcome;
    }

    private void check(String username, String password, String clientIp, LoginThrottle.Permit permit,
            CompletableFuture<Outcome> outcome) {
        try {
            Optional<AdminAccounts.Verified> v = accounts.verify(username, password, clientIp);
            if (v.isEmpty()) {
                metrics.login("refused");
                outcome.complete(INVALID);
                return;
            }
            AdminAccounts.Verified ok = v.get();
            throttle.succeeded(permit);
            verified.remember(username, password, new VerifiedLogins.Login(ok.id(), ok.username(), ok.role(),
                    ok.passwordHash()));
            metrics.login("accepted");
            outcome.complete(new Authenticated(new Principal(ok.id(), ok.username(), ok.role()), null));
        } catch (RuntimeException e) {
            throttle.succeeded(permit); // the database failed, not the caller
            outcome.completeExceptionally(e);
        }
    }

    /**
     * Credentials some account could have: a username {@code create} accepts and PostgreSQL can
     * hold (no NUL), a password bcrypt reads whole.
     */
    private static boolean possible(String username, String password) {
        return username.length() <= MAX_USERNAME && username.indexOf('\0') < 0
                && password.getBytes(StandardCharsets.UTF_8).length <= AdminAccounts.MAX_PASSWORD_BYTES;
    }

    private static CompletionStage<Outcome> done(Outcome o) {
        return CompletableFuture.completedFuture(o);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
